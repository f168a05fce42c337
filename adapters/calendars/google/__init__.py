"""Google Calendar: per-agent OAuth grants, busy time, event writes and incremental sync."""
