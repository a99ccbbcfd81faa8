"""Where the bundled configs live and which networks are built in.

Standard library only, so that the command line can name the built-in networks and default
folders in its help without importing the domain model.
"""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
NETWORKS_DIR = CONFIG_DIR / "networks"
NETWORK_FILE = "network.yaml"


def builtin_networks() -> list[str]:
    """Names of the networks bundled in ``configs/networks``."""
    return sorted(p.parent.name for p in NETWORKS_DIR.glob(f"*/{NETWORK_FILE}"))
