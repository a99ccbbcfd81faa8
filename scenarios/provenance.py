"""What produced a result file: the code version and the network's content digest."""

import hashlib
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from twin.domain import Network

REPO = Path(__file__).resolve().parents[1]


@cache
def code_version() -> str:
    """``medtwin <version>`` plus the git commit (``+dirty`` with local changes) when run
    from a checkout."""
    try:
        text = f"medtwin {version('medtwin')}"
    except PackageNotFoundError:
        text = "medtwin (not installed)"
    try:
        sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, check=True, timeout=10).stdout
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return text
    return f"{text} (git {sha.strip()}{'+dirty' if dirty.strip() else ''})"


def network_digest(network: Network) -> str:
    """sha256 of the network's JSON form (master data, demand models and snapshot)."""
    return hashlib.sha256(network.model_dump_json(by_alias=True).encode()).hexdigest()
