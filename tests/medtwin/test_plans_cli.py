"""`medtwin plans / users / rules / audit / publish`: who is acting, the one door to the ERP,
the checks at the door, the audit trail — every misuse a colleague with a shell account
tried, at the command line."""

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.flatfile import read_rows, write_folder
from medtwin.cli import main
from medtwin.store import PlanStore, open_store
from tests.medtwin.store.samples import evidence, plan_json, sealed_plan
from twin.network_files import load_network


@pytest.fixture
def env(tmp_path: Path, tiny_dir: Path) -> dict:
    """A store bootstrapped by this OS account as mia (manager); pat (planner) and vic
    (viewer) act with tokens."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    runner = CliRunner(env={"MEDTWIN_STORE": url, "MEDTWIN_SECRETS": None,
                            "MEDTWIN_USER": None})
    assert runner.invoke(main, ["users", "bootstrap", "mia"]).exit_code == 0
    tokens = {}
    for name, role in (("pat", "planner"), ("vic", "viewer")):
        tokens[name] = tmp_path / f"{name}.yaml"
        result = runner.invoke(main, ["users", "add", name, "--role", role,
                                      "--token-out", str(tokens[name])])
        assert result.exit_code == 0, result.output
    store = PlanStore(open_store(url))
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(sealed_plan(store, "tiny-1", evidence(0.995, 100.0)))
    folder = write_folder(tmp_path / "erp", load_network(tiny_dir).snapshot)

    def run(*args: str, who: str = "mia", stdin: str | None = None):
        extra = {"MEDTWIN_SECRETS": str(tokens[who])} if who in tokens else {}
        if args[:2] == ("plans", "add"):
            args = (*args, "--network", str(tiny_dir))
        return runner.invoke(main, list(args), env=extra, input=stdin)
    return {"run": run, "db": tmp_path / "store.db", "plan": str(plan_file),
            "erp": str(folder), "tiny": str(tiny_dir), "store": store, "tmp": tmp_path,
            "tokens": tokens}


def test_planner_cannot_approve_or_publish(env: dict) -> None:
    run = env["run"]
    assert run("plans", "add", env["plan"], who="pat").exit_code == 0
    for args in (["approve", "tiny-1", "--comment", "x"], ["reject", "tiny-1", "--comment", "x"],
                 ["publish", "tiny-1", "--erp", env["erp"], "--network", env["tiny"]]):
        result = run("plans", *args, who="pat")
        assert result.exit_code == 6, result.output
        assert "not permitted" in result.output and "nothing changed" in result.output
    assert "stress_tested" in run("plans", "list").output
    assert not (Path(env["erp"]) / "plan_lines.csv").exists()


def test_a_typed_name_is_not_an_identity(env: dict) -> None:
    """vic (a viewer) names herself mia, or sets MEDTWIN_USER=mia: refused, exit 6."""
    run = env["run"]
    result = run("users", "add", "eve", "--role", "manager", "--user", "mia", who="vic")
    assert result.exit_code == 6 and "you are 'vic'" in result.output, result.output
    result = CliRunner(env={"MEDTWIN_STORE": f"sqlite:///{env['db']}", "MEDTWIN_USER": "mia",
                            "MEDTWIN_SECRETS": str(env["tokens"]["vic"])}).invoke(
        main, ["users", "add", "eve", "--role", "manager"])
    assert result.exit_code == 6 and "cannot act as 'mia'" in result.output
    result = run("users", "add", "eve", "--role", "manager", who="vic")
    assert result.exit_code == 6 and "only manager may manage users" in result.output
    assert [u for u, _ in env["store"].users()] == ["mia", "pat", "vic"]


def test_credentials_that_prove_nothing_are_refused(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    loose = tmp_path / "loose.yaml"
    loose.write_text(env["tokens"]["pat"].read_text())
    os.chmod(loose, 0o644)
    forged = tmp_path / "forged.yaml"
    forged.write_text('token: "' + '0' * 64 + '"\n')
    os.chmod(forged, 0o600)
    for file, why in ((loose, "readable by group or others"), (forged, "not valid"),
                      (tmp_path / "missing.yaml", "does not exist")):
        result = CliRunner(env={"MEDTWIN_STORE": f"sqlite:///{env['db']}",
                                "MEDTWIN_SECRETS": str(file)}).invoke(
            main, ["plans", "add", env["plan"]])
        assert result.exit_code == 6 and why in result.output, result.output
    other = CliRunner(env={"MEDTWIN_STORE": f"sqlite:///{tmp_path / 'other.db'}"})
    result = other.invoke(main, ["users", "add", "eve", "--role", "manager"])
    assert result.exit_code == 6 and "is not a user of this store" in result.output
    assert run("users", "bootstrap", "eve").exit_code == 6       # not on a store with users
    result = run("users", "add", "", "--role", "planner")
    assert result.exit_code == 2 and "user name ''" in result.output


def test_hand_written_evidence_is_refused(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    forged = tmp_path / "forged.json"
    forged.write_text(plan_json("tiny-1", evidence(0.999, 1.0)))
    result = run("plans", "add", str(forged), who="pat")
    assert result.exit_code == 6 and "carries no seal" in result.output, result.output
    doc = json.loads(Path(env["plan"]).read_text())
    doc["stress_test"]["scenarios"][1]["kpis"]["fill_rate_critical"]["lower"] = 0.9999
    forged.write_text(json.dumps(doc))
    result = run("plans", "add", str(forged), who="pat")
    assert result.exit_code == 6 and "seal does not match" in result.output
    assert "tiny-1" not in run("plans", "list").output


def test_the_door_names_every_problem(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    doc = json.loads(plan_json("tiny-1"))
    transfer = doc["actions"][0]
    doc["actions"] += [{**transfer, "key": "t-2", "item": "NOPE"},
                       {**transfer, "key": "t-1"},
                       {**transfer, "key": "t-3", "quantity": 10_000}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run("plans", "add", str(bad), who="pat")
    assert result.exit_code == 2, result.output
    assert "unknown item 'NOPE'" in result.output and "duplicate key 't-1'" in result.output
    twice = tmp_path / "twice.json"
    twice.write_text(plan_json("tiny-1").replace('"id":"tiny-1"',
                                                 '"id":"tiny-1","id":"tiny-7"', 1)
                     .replace('"id": "tiny-1"', '"id": "tiny-1", "id": "tiny-7"', 1))
    result = run("plans", "add", str(twice), who="pat")
    assert result.exit_code == 2 and "id: member given twice" in result.output, result.output
    doc = json.loads(plan_json("tiny-1"))
    doc["actions"] = [{**transfer, "quantity": 10_000}]
    bad.write_text(json.dumps(doc))
    result = run("plans", "add", str(bad), who="pat")
    assert result.exit_code == 2 and "available" in result.output
    assert run("plans", "list", "--ids").output == ""


def test_subset_approval_publishes_only_those_lines_then_the_rest(env: dict) -> None:
    run = env["run"]
    run("plans", "add", env["plan"], who="pat")
    result = run("plans", "approve", "tiny-1", "--lines", "t-1", "--comment", "only the move")
    assert result.exit_code == 0 and "approved 1 of 2 lines" in result.output
    result = run("plans", "approve", "tiny-1", "--lines", "zz", "--comment", "x")
    assert result.exit_code == 2 and "zz" in result.output
    args = ["plans", "publish", "tiny-1", "--erp", env["erp"], "--network", env["tiny"]]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert [r["key"] for r in read_rows(Path(env["erp"]) / "plan_lines.csv")] == ["t-1"]
    assert "published (1 of 1 approved lines published)" in result.output
    assert run("plans", "approve", "tiny-1", "--comment", "the rest").exit_code == 0
    result = run(*args)
    assert result.exit_code == 0 and "2 of 2 approved lines published" in result.output
    assert sorted(r["key"] for r in read_rows(Path(env["erp"]) / "plan_lines.csv")) \
        == ["r-1", "t-1"]
    show = run("plans", "show", "tiny-1").output
    assert "mia: approve 1 lines — only the move" in show and "erp_document" in show
    verify = run("audit", "verify")
    assert verify.exit_code == 0 and "audit log intact" in verify.output


def _sql(db: Path, sql: str) -> None:
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.parametrize(("sql", "why"), [
    ("UPDATE audit SET payload=replace(payload, 'fine', 'FINE')", "was edited or forged"),
    ("DELETE FROM audit WHERE seq=(SELECT max(seq) FROM audit)", "newest rows were deleted"),
    ("UPDATE plans SET status='approved' WHERE id='tiny-2'",
     "plans['tiny-2'].status is 'approved' in the table"),
    ("UPDATE plan_lines SET approved=1 WHERE plan_id='tiny-2'", "plan_lines[tiny-2]"),
    ("UPDATE users SET role='manager' WHERE name='vic'", "users['vic'].role"),
    ("DELETE FROM decisions", "decisions[tiny-1]"),
])
def test_audit_verify_catches_every_edit(env: dict, tmp_path: Path, sql: str, why: str) -> None:
    run = env["run"]
    draft = tmp_path / "draft.json"
    draft.write_text(plan_json("tiny-2"))
    run("plans", "add", env["plan"], who="pat")
    run("plans", "add", str(draft), who="pat")
    run("plans", "approve", "tiny-1", "--comment", "fine")
    assert run("audit", "verify").exit_code == 0
    _sql(env["db"], sql)
    result = run("audit", "verify")
    assert result.exit_code == 8 and why in result.output, result.output
    for plan in ("tiny-1", "tiny-2"):    # nothing is published from a state not vouched for
        result = run("plans", "publish", plan, "--erp", env["erp"], "--network", env["tiny"])
        assert result.exit_code in (7, 8), result.output
        assert not (Path(env["erp"]) / "plan_lines.csv").exists()


def test_a_draft_approved_by_sql_is_not_published(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    draft = tmp_path / "draft.json"
    draft.write_text(plan_json("tiny-2"))
    run("plans", "add", str(draft), who="pat")
    _sql(env["db"], "UPDATE plans SET status='approved' WHERE id='tiny-2'")
    _sql(env["db"], "UPDATE plan_lines SET approved=1 WHERE plan_id='tiny-2'")
    result = run("plans", "publish", "tiny-2", "--erp", env["erp"], "--network", env["tiny"])
    assert result.exit_code == 8 and "audit trail is broken" in result.output, result.output
    assert not (Path(env["erp"]) / "plan_lines.csv").exists()


def test_a_plan_file_is_never_published_directly(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    plain = tmp_path / "plain.json"
    plain.write_text(plan_json("tiny-1"))
    result = run("publish", str(plain), "--erp", env["erp"], "--network", env["tiny"])
    assert result.exit_code == 6 and "medtwin plans publish" in result.output
    assert not (Path(env["erp"]) / "plan_lines.csv").exists()
    result = run("publish", str(plain), "--erp", env["erp"], "--network", env["tiny"],
                 "--dry-run")
    assert result.exit_code == 0, result.output
    assert not (Path(env["erp"]) / "plan_lines.csv").exists()


def test_a_chain_recomputed_without_the_key_is_caught(env: dict) -> None:
    """Edit a row and recompute every hash as plain sha256 (the old scheme): the keyed
    chain does not match."""
    import hashlib

    from medtwin.store.audit import GENESIS, canonical
    run = env["run"]
    run("plans", "add", env["plan"], who="pat")
    con = sqlite3.connect(env["db"])
    prev = GENESIS
    for seq, time, actor, action, plan_id, payload in con.execute(
            "SELECT seq, time, actor, action, plan_id, payload FROM audit ORDER BY seq"):
        payload = payload.replace("pat", "mia")
        body = canonical({"seq": seq, "time": time, "actor": actor, "action": action,
                          "plan_id": plan_id, "payload": payload})
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        con.execute("UPDATE audit SET payload=?, prev_hash=?, hash=? WHERE seq=?",
                    (payload, prev, digest, seq))
        prev = digest
    con.commit()
    con.close()
    result = run("audit", "verify")
    assert result.exit_code == 8 and "row 1 " in result.output


def test_rules_are_the_stores(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    lax = tmp_path / "lax.yaml"
    lax.write_text("min_critical_fill_rate: 0.5\nmax_cost_increase: null\n")
    result = run("rules", "set", str(lax), who="pat")
    assert result.exit_code == 6
    result = run("plans", "gate", "tiny-1", "--rules", str(lax), who="pat")
    assert result.exit_code == 2                           # no --rules option any more
    run("plans", "add", env["plan"], who="pat")
    result = run("plans", "gate", "tiny-1", who="pat")
    assert result.exit_code == 0 and "auto-approved" in result.output, result.output
    assert run("rules", "set", str(lax)).exit_code == 0
    assert "version 1" in run("rules", "show").output
    assert "rules_set" in run("audit", "show").output


def test_bad_input_is_named(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "network": "tiny"}))
    result = run("plans", "add", str(bad), who="pat")
    assert result.exit_code == 2 and f"{bad}: as_of" in result.output
    result = run("plans", "approve", "nope", "--comment", "x")
    assert result.exit_code == 2 and "no plan 'nope'" in result.output


def test_list_ids_and_gate_of_an_approved_plan(env: dict, tmp_path: Path) -> None:
    """`plans list --ids` prints bare ids for scripts; a plan a manager approved is not
    gated again (exit 7, its approval untouched)."""
    run = env["run"]
    draft = tmp_path / "draft.json"
    draft.write_text(plan_json("tiny-2"))
    run("plans", "add", env["plan"], who="pat")
    run("plans", "add", str(draft), who="pat")
    assert run("plans", "list", "--ids").output.split() == ["tiny-1", "tiny-2"]
    assert run("plans", "list", "--status", "draft", "--ids").output == "tiny-2\n"
    run("plans", "approve", "tiny-1", "--comment", "by hand")
    result = run("plans", "gate", "tiny-1", who="pat")
    assert result.exit_code == 7, result.output
    assert "only a draft or stress-tested plan goes through the gate" in result.output
    assert "mia: approve 2 lines — by hand" in run("plans", "show", "tiny-1").output


def test_a_token_file_that_cannot_be_written_adds_no_user(env: dict, tmp_path: Path) -> None:
    run = env["run"]
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run("users", "add", "eve", "--role", "planner", "--token-out",
                 str(blocker / "eve.yaml"))
    assert result.exit_code == 2 and "is not a folder" in result.output, result.output
    assert "eve" not in run("users", "list").output
    result = run("users", "token", "ghost", "--out", str(tmp_path / "g.yaml"))
    assert result.exit_code == 2 and "unknown user 'ghost'" in result.output
