"""The engine's calendar modules: agents' calendar sources and busy time, provider connections, writes outside transactions, sync, and the calendars CLI."""
