"""The default scenario library folder (standard library only, for the CLI's option
defaults)."""

from twin.bundled import CONFIG_DIR

DEFAULT_LIBRARY = CONFIG_DIR / "scenarios"
