"""Storage modules that register extra repositories on the unit of work (imported by storage.plugin)."""

import storage.identities  # noqa: F401,E402 - uow.identities (Slack/Teams user → agent)
