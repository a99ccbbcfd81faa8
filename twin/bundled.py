"""Which networks are built in (the bundled ``configs`` package data).

No heavy imports, so that the command line can name the built-in networks and default
folders in its help without importing the domain model.
"""

from configs import CONFIG_DIR

NETWORKS_DIR = CONFIG_DIR / "networks"
NETWORK_FILE = "network.yaml"


def builtin_networks() -> list[str]:
    """Names of the networks bundled in ``configs/networks``."""
    return sorted(p.parent.name for p in NETWORKS_DIR.glob(f"*/{NETWORK_FILE}"))
