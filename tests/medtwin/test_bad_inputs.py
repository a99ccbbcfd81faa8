"""Issue 20: every bad input is refused with exit 2, one line per problem, no traceback and
nothing written (:mod:`cli_contract` checks those on every run here)."""

import json
import shutil
from pathlib import Path

import pytest
from cli_contract import refused, run
from cli_inputs import history, scms

from medtwin.exit_codes import ExitCode
from twin import atomic

# -- outputs ---------------------------------------------------------------------------------

def test_simulate_writes_both_files_or_neither(tiny_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "s.ledger.parquet").mkdir()
    refused(["simulate", tiny_dir, "--days", 2, "--out", tmp_path / "s.nc"],
            "s.ledger.parquet", "is a folder", watch=[tmp_path])
    assert not (tmp_path / "s.nc").exists()


@pytest.mark.parametrize("command", [
    ["simulate", "{net}", "--days", "2", "--out"], ["plan", "{net}", "--out"],
    ["forecast", "{history}", "--holdout", "7", "--out"],
    ["calibrate", "lead-times", "{scms}", "--out"], ["schema", "--out"]])
def test_an_output_below_a_regular_file(command: list[str], tiny_dir: Path,
                                        tmp_path: Path) -> None:
    inputs = {"net": tiny_dir, "history": history(tmp_path / "h.csv", 40),
              "scms": scms(tmp_path / "scms.csv", 40)}
    (tmp_path / "file").write_text("x")
    args = [a.format(**inputs) for a in command]
    refused([*args, tmp_path / "file" / "out.x"], "out.x", "not a folder", watch=[tmp_path])


@pytest.mark.parametrize("command", [
    ["simulate", "{net}", "--days", "2", "--out"], ["plan", "{net}", "--out"],
    ["forecast", "{history}", "--holdout", "7", "--out"],
    ["calibrate", "lead-times", "{scms}", "--out"]])
def test_an_output_in_a_read_only_folder(command: list[str], tiny_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """(The tests may run as root, who may write anywhere: the folder is made read-only
    for the check the commands make before any work.)"""
    inputs = {"net": tiny_dir, "history": history(tmp_path / "h.csv", 40),
              "scms": scms(tmp_path / "scms.csv", 40)}
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(atomic.os, "access", lambda path, mode: Path(path) != locked)
    args = [a.format(**inputs) for a in command]
    refused([*args, locked / "out.x"], "out.x", "is not writable", watch=[tmp_path])


def test_an_output_in_a_missing_folder_is_created(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "plan.json"
    assert run(["plan", tiny_dir, "--out", out]).exit_code == 0
    assert json.loads(out.read_text())["network"] == "tiny"


# -- stores and ERP URLs -----------------------------------------------------------------------

@pytest.mark.parametrize(("url", "why"), [
    ("not-a-url", "not a database URL"), ("{text}", "not a database URL"),
    ("{folder}", "not a database URL"), ("sqlite:///{folder}", "is a folder"),
    ("sqlite:///{text}", "file is not a database"),
    ("sqlite:///{text}/store.db", "is a file, not a folder"),
    ("postgresql://planner:secret@db.example/medtwin", "failed to resolve host"),
    ("mysql://db.example/medtwin", "unsupported database")])
def test_a_store_that_cannot_be_used(url: str, why: str, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("these are notes, not a database\n" * 40)
    (tmp_path / "folder").mkdir()
    url = url.format(text=text, folder=tmp_path / "folder")
    line = refused(["plans", "list", "--store", url], "--store", why, watch=[tmp_path])
    assert "secret" not in line


def test_a_read_only_store(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    assert run(["users", "bootstrap", "ann", "--store", f"sqlite:///{db}"]).exit_code == 0
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"
    refused(["users", "add", "bob", "--role", "planner", "--store", read_only],
            "readonly database", watch=[tmp_path])


@pytest.mark.parametrize("port", ["99999", "abc", "0"])
def test_an_erp_port_that_cannot_be(port: str, tiny_dir: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    result = run(["publish", plan, "--erp", f"http://localhost:{port}/medtwin",
                  "--network", tiny_dir], watch=[tmp_path])
    assert result.exit_code == ExitCode.INPUT
    assert "--erp" in result.output and "65535" in result.output


# -- the nightly -----------------------------------------------------------------------------

def test_nightly_refuses_a_bad_network_before_creating_anything(tmp_path: Path) -> None:
    config = tmp_path / "nightly.yaml"
    config.write_text(f"network: {tmp_path / 'missing'}\nerp: {tmp_path / 'erp'}\n"
                      f"store: sqlite:///{tmp_path / 'store' / 'm.db'}\n"
                      f"lock_file: {tmp_path / 'lock' / 'n.lock'}\n"
                      f"out_dir: {tmp_path / 'out'}\n")
    refused(["nightly", "--config", config], "missing", "file not found", watch=[tmp_path])


def test_nightly_lock_file_below_a_regular_file(tiny_dir: Path, tmp_path: Path) -> None:
    """An operating-system error no check foresaw still ends as one line and exit 2."""
    (tmp_path / "file").write_text("x")
    config = tmp_path / "nightly.yaml"
    config.write_text(f"network: {tiny_dir}\nerp: {tmp_path / 'erp'}\n"
                      f"store: sqlite:///{tmp_path / 'store' / 'm.db'}\n"
                      f"lock_file: {tmp_path / 'file' / 'n.lock'}\n")
    refused(["nightly", "--config", config], "file: is a file where a folder is needed",
            watch=[tmp_path])


def test_nightly_with_a_read_only_store(tiny_dir: Path, tmp_path: Path) -> None:
    """The store is found read-only when the run first writes to it (adding the plan):
    exit 2, the store as it was."""
    store = tmp_path / "store"
    assert run(["users", "bootstrap", "ann", "--store",
                f"sqlite:///{store / 'm.db'}"]).exit_code == 0
    from erp_adapter.flatfile import write_folder
    from twin.network_files import load_network

    write_folder(tmp_path / "erp", load_network(tiny_dir).snapshot)
    config = tmp_path / "nightly.yaml"
    config.write_text(f"network: {tiny_dir}\nerp: {tmp_path / 'erp'}\n"
                      "stress: {scenarios: [baseline], reps: 2, days: 5}\n"
                      f"store: sqlite:///file:{store / 'm.db'}?mode=ro&uri=true\n"
                      f"lock_file: {tmp_path / 'lock' / 'n.lock'}\n"
                      f"out_dir: {tmp_path / 'out'}\n")
    refused(["nightly", "--config", config], "<store>", "readonly database", watch=[store])


@pytest.mark.parametrize(("erp", "why"), [
    ("http://planner:hunter2@localhost:8000/medtwin", "must not carry a password"),
    ("http://localhost:99999/medtwin", "65535")])
def test_nightly_refuses_an_erp_url_it_cannot_use(erp: str, why: str, tmp_path: Path) -> None:
    config = tmp_path / "nightly.yaml"
    config.write_text(f"erp: {erp}\n")
    line = refused(["nightly", "--config", config], "nightly.yaml", "erp (line 1)", why,
                   watch=[tmp_path])
    assert "hunter2" not in line


# -- plan settings, scenarios, traces, plans ---------------------------------------------------

@pytest.mark.parametrize(("settings", "where", "why"), [
    ("safety_stock:\n  fill_rate_target: {critical: 1.5, high: 0.9, routine: 0.9}\n",
     "safety_stock.fill_rate_target.critical (line 2)", "(0, 1]"),
    ("safety_stock:\n  org_budget: {NOPE: 1000}\n", "safety_stock.org_budget.NOPE",
     "unknown org 'NOPE'"),
    ("transfers:\n  shortage_penalty: {critical: -1, high: 1, routine: 1}\n",
     "transfers.shortage_penalty.critical", "≥ 0"),
    ("safety_stock:\n  highs_options: {solver: gurobi}\n",
     "safety_stock.highs_options.solver", "HiGHS refuses"),
    ("safety_stock:\n  shortage_penalty: {critical: 1, high: .nan, routine: 1}\n",
     "safety_stock.shortage_penalty.high", "finite"),
    ("safety_stock:\n  scenarios: 100\n  solver: simplex\n", "safety_stock.solver (line 3)",
     "Extra inputs"),
    ("transfers:\n  urgency_window_days: {critical: 1}\n", "transfers.urgency_window_days",
     "high, routine missing")])
def test_plan_settings_are_checked(settings: str, where: str, why: str, tiny_dir: Path,
                                   tmp_path: Path) -> None:
    file = tmp_path / "settings.yaml"
    file.write_text(settings)
    refused(["plan", tiny_dir, "--settings", file, "--out", tmp_path / "plan.json"],
            "settings.yaml", where, why, watch=[tmp_path])


def test_a_scenario_file_include_is_honoured(tiny_dir: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "storm.yaml"
    scenario.write_text("include: [demand-surge]\n")
    result = run(["simulate", tiny_dir, "--days", 2, "--scenario", scenario,
                  "--out", tmp_path / "s.nc"])
    assert result.exit_code == 0 and "1 event(s)" in result.output
    scenario.write_text("include: [no-such-scenario]\n")
    refused(["simulate", tiny_dir, "--days", 2, "--scenario", scenario, "--out",
             tmp_path / "t.nc"], "storm.yaml", "include[0]", "unknown scenario",
            watch=[tmp_path])


def test_a_demand_trace_in_an_unregistered_region(tiny_dir: Path, tmp_path: Path) -> None:
    trace = tmp_path / "trace.csv"
    trace.write_text("date,hospital,department,item,quantity\n"
                     "2026-11-23,H-ZS,ER,INF-SET-STD,3\n")
    refused(["simulate", tiny_dir, "--days", 2, "--demand-trace", trace, "--out",
             tmp_path / "s.nc"], "trace.csv", "[0].item (row 2)", "not registered",
            watch=[tmp_path])


def test_stress_refuses_a_plan_naming_an_unknown_item(tiny_dir: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    assert run(["plan", tiny_dir, "--out", plan]).exit_code == 0
    doc = json.loads(plan.read_text())
    doc["actions"][0]["item"] = "NO-SUCH-ITEM"
    plan.write_text(json.dumps(doc))
    refused(["stress", plan, "--network", tiny_dir, "--scenarios", "baseline", "--reps", 2,
             "--days", 7, "--out", tmp_path / "stress"], "plan.json", "actions[0].item",
            "unknown item 'NO-SUCH-ITEM'", watch=[tmp_path])


# -- thin and broken histories -----------------------------------------------------------------

def test_calibrate_names_what_it_used(tmp_path: Path) -> None:
    result = run(["calibrate", "lead-times", scms(tmp_path / "scms.csv", 40)])
    assert result.exit_code == 0 and "used 40 of 40 lines" in result.output


@pytest.mark.parametrize(("rows", "edit", "why"), [
    (0, lambda text: "", "the file is empty"),
    (0, lambda text: text, "no shipment lines"),
    (10, lambda text: text, "only 10 of 10 lines have a usable lead time"),
    (40, lambda text: text[:-25], "line 41: 27 cells, the header has 33 columns")])
def test_calibrate_refuses_thin_or_broken_files(rows: int, edit, why: str,
                                                tmp_path: Path) -> None:
    file = scms(tmp_path / "scms.csv", rows)
    file.write_text(edit(file.read_text()))
    refused(["calibrate", "lead-times", file, "--out", tmp_path / "lt.yaml"], "scms.csv", why,
            watch=[tmp_path])


@pytest.mark.parametrize(("days", "quantity", "holdout", "why"), [
    (40, "inf", 7, "quantity (row 5)"), (40, "1e30", 7, "from 0 to 1,000,000,000"),
    (30, "2", 56, "two weeks of history before a hold-out of 56")])
def test_forecast_refuses_bad_histories(days: int, quantity: str, holdout: int, why: str,
                                        tmp_path: Path) -> None:
    file = history(tmp_path / "h.csv", days, quantity)
    refused(["forecast", file, "--holdout", holdout, "--out", tmp_path / "f.nc"], "h.csv",
            why, watch=[tmp_path])


def test_forecast_refuses_dates_out_of_range(tmp_path: Path) -> None:
    file = history(tmp_path / "h.csv", 40)
    file.write_text(file.read_text().replace("2026-01-05", "0001-01-05"))
    refused(["forecast", file, "--holdout", 7], "h.csv", "date (row 6)", "from 1900-01-01",
            watch=[tmp_path])
    file.write_text(file.read_text().replace("0001-01-05", "1950-01-05"))
    refused(["forecast", file, "--holdout", 7], "h.csv", "spans 27,795 days", watch=[tmp_path])


def test_forecast_names_how_many_records(tmp_path: Path) -> None:
    result = run(["forecast", history(tmp_path / "h.csv", 40), "--holdout", 7])
    assert result.exit_code == 0 and "40 records → 1 series × 40 days" in result.output


def test_validate_a_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    refused(["validate", loop], "loop", "symbolic links")


def test_validate_an_empty_lots_table(tiny_dir: Path, tmp_path: Path) -> None:
    net = tmp_path / "net"
    shutil.copytree(tiny_dir, net)
    (net / "lots.csv").write_text("")
    refused(["validate", net], "lots.csv", "the file is empty")


def test_a_bad_substitute_rule_is_refused_before_anything_is_written(edited_tiny,
                                                                   tmp_path: Path) -> None:
    net = edited_tiny(lambda d: d.update(substitutes=[
        {"item": "STENT-DES-30", "substitute": "INF-SET-STD", "hospital": "H-ZS"}]))
    out = tmp_path / "out"
    out.mkdir()
    refused(["simulate", net, "--days", 2, "--out", out / "s.nc"], "network.yaml",
            "substitutes[0].substitute", "not registered in region 'south'", watch=[out])
    assert not list(out.iterdir())
