"""Relative paths given to the CLI resolve against the working directory: the local ERP's
folder and template cache, the plan store, result files."""

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.tryton.client import TrytonClient, wait_until_listening
from erp_adapter.tryton.server import ensure_template, free_port, template_fingerprint
from medtwin.cli import main
from tests.conftest import TINY

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "tryton"


def test_erp_serve_with_a_relative_folder_and_cache(tmp_path: Path) -> None:
    template, password = ensure_template(CACHE)
    shutil.copytree(template.parent, tmp_path / "cache" / template_fingerprint())
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "medtwin", "erp", "serve", "--dir", "erp", "--cache", "cache",
         "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_listening("127.0.0.1", port, timeout=60)
        with TrytonClient(f"http://127.0.0.1:{port}/medtwin",
                          Credentials("admin", password)) as client:
            assert client.today()  # the database answers
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert (tmp_path / "erp" / "medtwin.sqlite").exists(), out
    assert (tmp_path / "erp" / "secrets.yaml").exists()
    assert f"path = {tmp_path / 'erp'}\n" in (tmp_path / "erp" / "trytond.conf").read_text()
    # the template came from the relative cache, not from a rebuild somewhere else
    assert [p.name for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")] \
        == [template_fingerprint()] and not (tmp_path / ".cache").exists()


def test_results_and_store_at_relative_paths(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    sim = runner.invoke(main, ["simulate", str(TINY), "--days", "7", "--out", "runs/tiny.nc"])
    assert sim.exit_code == 0, sim.output
    with xr.open_dataset(tmp_path / "runs" / "tiny.nc") as ds:
        assert ds.sizes["time"] == 7
    users = runner.invoke(main, ["users", "bootstrap", "pat",
                                 "--store", "sqlite:///store/medtwin.db"])
    assert users.exit_code == 0, users.output
    listed = runner.invoke(main, ["users", "list", "--store", "sqlite:///store/medtwin.db"])
    assert listed.exit_code == 0 and "pat" in listed.output, listed.output
    assert (tmp_path / "store" / "medtwin.db").exists()
    assert (tmp_path / "store" / "medtwin.db.secrets.yaml").exists()
