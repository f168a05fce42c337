"""Where a conversation stands in the agents' inbox: open, snoozed until a time, or resolved.

- ``ResolveConversation``: done for now; the thread gets "Alice resolved the conversation."
- ``ReopenConversation``: back in the inbox, by an agent's hand.
- ``SnoozeConversation``: out of the inbox until a time (UTC; presets in the agent's zone, see
  ``presets``); the ``conversation_snooze`` job reopens it then and tells the assignee.
- A guest who writes to a resolved or snoozed conversation reopens it (a posting hook), with a notice.

Only agents who may see the conversation (``bot.access``) change its status; anyone else is answered
as for a missing conversation. The inbox filters and their counts are ``queries``.

The engine module is ``bot.status.handlers`` (its ``register`` wires the commands, the job and the hook).
"""
