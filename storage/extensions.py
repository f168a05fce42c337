"""Storage modules that register extra repositories on the unit of work (imported by storage.plugin)."""
