"""What produced a result file: the code version and the network's content digest."""

import hashlib
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from twin.domain import Network

REPO = Path(__file__).resolve().parents[1]
"""The folder holding the packages: the checkout, or ``site-packages`` when installed."""


@cache
def code_version() -> str:
    """``medtwin <version>`` plus the git commit (``+dirty`` with local changes) when run
    from a checkout — only when :data:`REPO` is the top of the git work tree, so that an
    install into a virtualenv inside some other repository does not report that one."""
    try:
        text = f"medtwin {version('medtwin')}"
    except PackageNotFoundError:
        text = "medtwin (not installed)"
    try:
        top, sha = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--show-toplevel", "--short=12", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10).stdout.splitlines()
        if Path(top).resolve() != REPO:
            return text
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError, ValueError):
        return text
    return f"{text} (git {sha}{'+dirty' if dirty.strip() else ''})"


def network_digest(network: Network) -> str:
    """sha256 of the network's JSON form (master data, demand models and snapshot)."""
    return hashlib.sha256(network.model_dump_json(by_alias=True).encode()).hexdigest()
