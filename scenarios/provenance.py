"""What produced a result file: the code version (the network's content digest is
:attr:`twin.domain.Network.digest`); what code a Dask worker runs."""

import hashlib
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
"""The folder holding the packages: the checkout, or ``site-packages`` when installed."""
RUN_PACKAGES = ("twin", "solvers", "scenarios")
"""The packages whose code runs an experiment's replications."""


@cache
def code_version() -> str:
    """``medtwin <version>`` plus the git commit (``+dirty`` with local changes) when run
    from a checkout — only when :data:`REPO` is the top of the git work tree, so that an
    install into a virtualenv inside some other repository does not report that one."""
    text = _installed()
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


@cache
def code_identity() -> str:
    """``medtwin <version> (code <digest>)``: the installed version and a sha256 of the
    sources of :data:`RUN_PACKAGES` — the same for a checkout and an install of one commit,
    different when any of that code differs. A Dask worker must report the client's."""
    digest = hashlib.sha256()
    for path in sorted(p for package in RUN_PACKAGES for p in (REPO / package).rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{_installed()} (code {digest.hexdigest()[:12]})"


def _installed() -> str:
    try:
        return f"medtwin {version('medtwin')}"
    except PackageNotFoundError:
        return "medtwin (not installed)"
