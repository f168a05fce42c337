"""The engine's calendar modules: agents' calendar sources and busy time (``sources``), provider
connections (``connections``), the ``calendar_write`` job (``writes`` and ``remote_writes``, both
carrying out ``reconcile``), the ``calendar_sync`` job (``sync``), and the calendars CLI."""
