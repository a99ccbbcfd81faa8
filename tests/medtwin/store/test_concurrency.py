"""Concurrent acts on one plan from separate processes: exactly one wins, the others exit 7
with the reason — on SQLite and on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from medtwin.store import PlanStore, Status
from tests.medtwin.store.samples import evidence, sealed_plan, tiny_net

N = 6


def _race(store_url: str, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "MEDTWIN_STORE": store_url}
    env.pop("MEDTWIN_SECRETS", None)
    procs = [subprocess.Popen([sys.executable, "-m", "medtwin", *c], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for c in commands]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate())
            for p in procs]


@pytest.mark.parametrize("act", ["approve", pytest.param("reject", marks=pytest.mark.slow)])
def test_one_of_concurrent_decisions_wins(store: PlanStore, store_url: str, act: str) -> None:
    store.add_plan(sealed_plan(store, "tiny-1", evidence(0.995, 100)), "pat", "p.json",
                   tiny_net())
    done = _race(store_url, *[["plans", act, "tiny-1", "--comment", f"{act} {i}"]
                              for i in range(N)])
    codes = sorted(r.returncode for r in done)
    assert codes == [0] + [7] * (N - 1), [r.stderr for r in done]
    assert not any("Traceback" in r.stderr for r in done)
    assert all("nothing changed" in r.stderr for r in done if r.returncode == 7)
    assert len(store.decisions("tiny-1")) == 1
    assert store.info("tiny-1").status in (Status.APPROVED, Status.REJECTED)
    assert store.verify_audit().ok


@pytest.mark.slow
def test_concurrent_publishes_send_once(store: PlanStore, store_url: str, tmp_path: Path,
                                        tiny_dir: Path) -> None:
    from erp_adapter.flatfile import read_rows, write_folder

    store.add_plan(sealed_plan(store, "tiny-1", evidence(0.995, 100)), "pat", "p.json",
                   tiny_net())
    store.approve("tiny-1", "mia", "ok")
    folder = write_folder(tmp_path / "erp", tiny_net().snapshot)
    done = _race(store_url, *[["plans", "publish", "tiny-1", "--erp", str(folder),
                               "--network", str(tiny_dir)] for _ in range(3)])
    assert not any("Traceback" in r.stderr for r in done), [r.stderr for r in done]
    assert sorted(r.returncode for r in done)[0] == 0
    assert {r.returncode for r in done} <= {0, 7}
    assert sorted(r["key"] for r in read_rows(folder / "plan_lines.csv")) == ["r-1", "t-1"]
    assert store.info("tiny-1").status == Status.PUBLISHED
    assert store.verify_audit().ok
