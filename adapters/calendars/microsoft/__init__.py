"""Microsoft 365: organisation-wide Graph access, busy time, working hours, event writes and delta sync."""
