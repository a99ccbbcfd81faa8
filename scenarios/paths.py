"""The default scenario library folder (no heavy imports, for the CLI's option defaults)."""

from configs import bundled

DEFAULT_LIBRARY = bundled("scenarios")
