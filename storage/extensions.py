"""Storage modules that register extra repositories on the unit of work (imported by storage.plugin)."""

import storage.assistant  # noqa: F401,E402 - uow.assistant (the assistant's conversations and calendar meetings)
import storage.calendar_connections  # noqa: F401,E402 - uow.calendar_connections (grants encrypted)
import storage.identities  # noqa: F401,E402 - uow.identities (Slack/Teams user → agent)
import storage.meetings  # noqa: F401,E402 - uow.meetings; uow.local_events (the local calendar)
import storage.membership  # noqa: F401,E402 - uow.membership (members, links, reactions), uow.digests
