"""``code_version``: the git commit only of a checkout, never of an unrelated repository that
happens to hold the install (a virtualenv inside some project). ``code_identity``: the same
for a copy of the code, different when a line of it differs."""

import shutil
import subprocess
from pathlib import Path

import pytest

from scenarios import provenance

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                           *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def _version_at(repo: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(provenance, "REPO", repo.resolve())
    provenance.code_version.cache_clear()
    try:
        return provenance.code_version()
    finally:
        provenance.code_version.cache_clear()


def test_git_commit_only_when_the_packages_are_the_top_of_the_work_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    site = project / ".venv" / "lib" / "site-packages"
    site.mkdir(parents=True)
    _git(project, "init", "-q")
    (project / "README").write_text("someone else's project\n")
    _git(project, "add", "README")
    _git(project, "commit", "-q", "-m", "init")
    sha = _git(project, "rev-parse", "--short=12", "HEAD")

    assert _version_at(project, monkeypatch).endswith(f"(git {sha})")
    installed = _version_at(site, monkeypatch)
    assert installed.startswith("medtwin") and "git" not in installed
    assert "git" not in _version_at(tmp_path, monkeypatch)  # no repository at all


def test_code_identity_is_the_code_not_where_it_lies(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def identity_at(root: Path) -> str:
        monkeypatch.setattr(provenance, "REPO", root)
        return provenance.code_identity.__wrapped__()

    here = identity_at(provenance.REPO)
    copy = tmp_path / "site-packages"
    for package in provenance.RUN_PACKAGES:
        shutil.copytree(provenance.REPO / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    assert identity_at(copy) == here and here.startswith("medtwin ")
    with (copy / "twin" / "__init__.py").open("a") as f:
        f.write("# edited\n")
    assert identity_at(copy) != here
