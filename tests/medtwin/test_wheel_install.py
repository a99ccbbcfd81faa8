"""The wheel is self-contained: built, installed into a fresh virtualenv and run from a
directory outside the checkout, ``medtwin`` finds the bundled reference network and the
scenario library (package data of ``configs``).

How the fresh virtualenv is set up, and why:

* The source is copied to ``tmp_path`` first: building writes ``build/`` and
  ``medtwin.egg-info`` into the source folder, and a stale ``build/`` could put files into
  the wheel that the checkout no longer has.
* ``pip wheel --no-deps`` builds with build isolation, so it needs the build backend
  (setuptools, from PyPI or pip's cache) — nothing else is downloaded.
* The virtualenv is made without ``--system-site-packages`` and without pip (quicker); the
  running pip installs the wheel into it (``pip --python``) with ``--no-deps``.
* The dependencies (numpy, pandas, pyomo, …) are not downloaded: a ``.pth`` file in the new
  virtualenv adds a folder of symlinks to the entries of the running interpreter's
  site-packages. Not a ``.pth`` to that site-packages itself: it holds this checkout's
  editable install (``__editable__*.pth`` and its finder, ``medtwin-*.dist-info``), and a
  non-editable install would put ``twin/``, ``scenarios/`` … there. Those entries and every
  ``.pth`` are left out, so nothing of the checkout can be imported, whatever the order on
  ``sys.path`` — the test checks it: ``twin`` and ``configs`` are imported from the new
  virtualenv.
* Every command runs with the new virtualenv's interpreter, in an empty working directory
  and without ``PYTHON*`` variables (the suite runs with ``PYTHONPATH`` set to the checkout).

About 35 s on two idle cores (a minute when busy), most of it building the wheel and the
7-day simulation.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OURS = {"twin", "solvers", "scenarios", "dashboards", "erp_adapter", "medtwin", "configs"}
"""Top-level packages of the distribution (pyproject.toml's packages.find)."""
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "out",
                                    ".cache", "test-artifacts", "__pycache__", ".*_cache",
                                    ".hypothesis", "*.nc")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}:\n{proc.stdout}\n" \
                                 f"{proc.stderr}"
    return proc


def _is_ours(name: str) -> bool:
    stem = name.split("-")[0].split(".")[0]
    return name.endswith(".pth") or name.startswith("__editable__") or stem in OURS


def _dependencies(folder: Path) -> Path:
    """``folder`` filled with symlinks to the running site-packages, minus this project."""
    folder.mkdir()
    for site in dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib")):
        for entry in Path(site).iterdir():
            if not _is_ours(entry.name) and not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry)
    return folder


@pytest.mark.slow
def test_the_installed_wheel_runs_the_reference_network_from_anywhere(tmp_path: Path) -> None:
    src, dist, venv, work = (tmp_path / d for d in ("src", "dist", "venv", "work"))
    shutil.copytree(REPO, src, ignore=NOT_COPIED)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, src],
         cwd=tmp_path)
    (wheel,) = dist.glob("medtwin-*.whl")
    bundled = {p.relative_to(src).as_posix() for p in (src / "configs").rglob("*")
               if p.is_file()}
    assert {"configs/networks/reference/network.yaml", "configs/scenarios/demand-surge.yaml",
            "configs/schema/network.schema.json", "configs/nightly.yaml",
            "configs/approval.yaml"} <= bundled
    with zipfile.ZipFile(wheel) as zf:
        assert bundled <= set(zf.namelist())

    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
          "--no-index", wheel], cwd=tmp_path)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    (site / "medtwin-dependencies.pth").write_text(f"{_dependencies(tmp_path / 'deps')}\n")

    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run([python, "-c", "import twin, configs; print(twin.__file__); "
                                "print(configs.CONFIG_DIR)"], cwd=work, env=env).stdout.split()
    for path in where:
        assert Path(path).resolve().is_relative_to(site.resolve()), where
        assert not Path(path).resolve().is_relative_to(REPO)

    medtwin = venv / "bin" / "medtwin"
    validated = _run([medtwin, "validate", "reference"], cwd=work, env=env)
    assert "network 'reference' is valid" in validated.stdout
    _run([medtwin, "simulate", "reference", "--days", "7", "--scenario", "demand-surge",
          "--out", "out.nc"], cwd=work, env=env)
    assert (work / "out.nc").is_file() and (work / "out.ledger.parquet").is_file()
