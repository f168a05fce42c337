"""Prometheus series the engine keeps; ``/metrics`` exposes the default registry."""

from prometheus_client import Counter, Gauge, Histogram

COMMAND_SECONDS = Histogram("convene_command_seconds", "Time to handle one command", ["command"])
DELIVERIES = Counter("convene_deliveries_total", "Notices delivered", ["channel", "outcome"])
OUTBOX_PENDING = Gauge("convene_outbox_pending", "Events not yet delivered everywhere")
JOBS_RUN = Counter("convene_jobs_total", "Timed jobs run", ["kind", "outcome"])
