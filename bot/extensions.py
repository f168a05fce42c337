"""Engine modules that add commands and jobs to the runtime. Each registers itself with ``@extension``."""
