"""Prometheus series the engine keeps; ``/metrics`` exposes the default registry."""

from prometheus_client import Counter, Gauge, Histogram

COMMAND_SECONDS = Histogram("convene_command_seconds", "Time to handle one command", ["command"])
DELIVERIES = Counter("convene_deliveries_total", "Notices delivered", ["channel", "outcome"])
OUTBOX_PENDING = Gauge("convene_outbox_pending", "Events not yet delivered everywhere")
JOBS_RUN = Counter("convene_jobs_total", "Timed jobs run", ["kind", "outcome"])
OUTBOX_DEAD = Gauge("convene_outbox_dead_letters", "Events given up after repeated permanent failures")
DEAD_LETTERED = Counter("convene_outbox_dead_lettered_total", "Events moved to the dead letters", ["event"])
