"""`medtwin plans / users / audit`: roles, subset publish to an exchange folder, audit verify."""

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.flatfile import read_rows, write_folder
from medtwin.cli import main
from tests.medtwin.store.samples import evidence, plan_json
from twin.network_files import load_network


@pytest.fixture
def env(tmp_path: Path, tiny_dir: Path) -> dict:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    runner = CliRunner(env={"MEDTWIN_STORE": url})
    for name, role in (("pat", "planner"), ("mia", "manager")):
        assert runner.invoke(main, ["users", "add", name, "--role", role]).exit_code == 0
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan_json(evidence=evidence(0.995, 100.0)))
    folder = write_folder(tmp_path / "erp", load_network(tiny_dir).snapshot)
    return {"run": lambda *a: runner.invoke(main, list(a)), "db": tmp_path / "store.db",
            "plan": str(plan_file), "erp": str(folder), "tiny": str(tiny_dir)}


def test_planner_cannot_approve_or_publish(env: dict) -> None:
    run = env["run"]
    assert run("plans", "add", env["plan"], "--user", "pat").exit_code == 0
    for args in (["approve", "tiny-1", "--comment", "x"], ["reject", "tiny-1", "--comment", "x"],
                 ["publish", "tiny-1", "--erp", env["erp"], "--network", env["tiny"]]):
        result = run("plans", *args, "--user", "pat")
        assert result.exit_code == 6, result.output
        assert "not permitted" in result.output and "nothing changed" in result.output
    assert "stress_tested" in run("plans", "list").output
    assert not (Path(env["erp"]) / "plan_lines.csv").exists()


def test_subset_approval_publishes_only_those_lines(env: dict) -> None:
    run = env["run"]
    run("plans", "add", env["plan"], "--user", "pat")
    result = run("plans", "approve", "tiny-1", "--lines", "t-1", "--comment", "only the move",
                 "--user", "mia")
    assert result.exit_code == 0 and "approved 1 of 2 lines" in result.output
    args = ["plans", "publish", "tiny-1", "--erp", env["erp"], "--network", env["tiny"],
            "--user", "mia"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert [r["key"] for r in read_rows(Path(env["erp"]) / "plan_lines.csv")] == ["t-1"]
    assert "published (1 of 1 approved lines published)" in result.output
    again = run(*args)                       # publishing again creates nothing new
    assert again.exit_code == 0 and "1 exists" in again.output, again.output
    assert len(read_rows(Path(env["erp"]) / "plan_lines.csv")) == 1
    show = run("plans", "show", "tiny-1").output
    assert show.count("erp_document") == 1
    assert "mia: approve 1 lines — only the move" in show and "erp_document" in show
    verify = run("audit", "verify")
    assert verify.exit_code == 0 and "audit log intact" in verify.output


def test_audit_verify_catches_an_edited_row(env: dict) -> None:
    run = env["run"]
    run("plans", "add", env["plan"], "--user", "pat")
    run("plans", "approve", "tiny-1", "--comment", "fine", "--user", "mia")
    con = sqlite3.connect(env["db"])
    con.execute("UPDATE audit SET payload=replace(payload, 'fine', 'FINE')")
    con.commit()
    con.close()
    result = run("audit", "verify")
    assert result.exit_code == 8
    assert "was edited" in result.output and "status:approved by mia" in result.output


def test_bad_input_is_named(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "network": "tiny"}))
    result = run("plans", "add", str(bad), "--user", "pat")
    assert result.exit_code == 2 and f"{bad}: as_of" in result.output
    assert run("plans", "add", env["plan"]).exit_code == 2      # no acting user
    result = run("plans", "approve", "nope", "--comment", "x", "--user", "mia")
    assert result.exit_code == 2 and "no plan 'nope'" in result.output
    result = run("plans", "add", env["plan"], "--user", "ghost")
    assert result.exit_code == 2 and "unknown user 'ghost'" in result.output


def test_gate_defaults_to_the_bundled_rules_from_any_directory(
        env: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = env["run"]
    assert run("plans", "add", env["plan"], "--user", "pat").exit_code == 0
    monkeypatch.chdir(tmp_path)  # no configs/ here: the default is the packaged file
    result = run("plans", "gate", "tiny-1")
    assert result.exit_code == 0, result.output
    assert "pass min_critical_fill_rate" in result.output
    assert "auto-approved" in result.output


def test_list_ids_and_gate_of_an_approved_plan(env: dict, tmp_path: Path) -> None:
    """`plans list --ids` prints bare ids for scripts; a plan a manager approved is not
    gated again (exit 7, its approval untouched)."""
    run = env["run"]
    draft = tmp_path / "draft.json"
    draft.write_text(plan_json("tiny-2"))
    run("plans", "add", env["plan"], "--user", "pat")
    run("plans", "add", str(draft), "--user", "pat")
    assert run("plans", "list", "--ids").output.split() == ["tiny-1", "tiny-2"]
    assert run("plans", "list", "--status", "draft", "--ids").output == "tiny-2\n"
    run("plans", "approve", "tiny-1", "--comment", "by hand", "--user", "mia")
    result = run("plans", "gate", "tiny-1")
    assert result.exit_code == 7, result.output
    assert "only a draft or stress-tested plan goes through the gate" in result.output
    assert "mia: approve 2 lines — by hand" in run("plans", "show", "tiny-1").output
