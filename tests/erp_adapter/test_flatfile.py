"""The flat-file adapter: a folder of CSV/Parquet in, plan lines out."""

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.flatfile import FlatFileAdapter, read_rows, write_folder
from erp_adapter.protocol import DemandRecord, ReturnRecord
from medtwin.cli import main
from tests.erp_adapter.returns_net import returns_network
from tests.medtwin.store.samples import approved_in_store
from twin.domain import Network, Plan, ReorderPointAction, TransferAction
from twin.domain.plan import DispositionAction
from twin.problems import InputError

DAY = dt.date(2026, 11, 23)
HISTORY = [DemandRecord(DAY - dt.timedelta(days=2), "WH-SH", "H-RJ", "ICU", "IVD-TROP-100",
                        "TROP2610A", 2),
           DemandRecord(DAY - dt.timedelta(days=1), "WH-GZ", "H-ZS", "LAB", "IVD-TROP-100",
                        "TROP2610A", 1)]


def plan(*actions) -> Plan:
    return Plan(id="tiny-flat", network="tiny", as_of=DAY, horizon_days=7,
                created=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), actions=list(actions))


TRANSFER = TransferAction(key="transfer-a", reason="r", **{"from": "WH-SH", "to": "WH-GZ"},
                          mode="road", item="IVD-TROP-100", lot="TROP2610A", quantity=5,
                          ship_date=DAY)
ROP = ReorderPointAction(key="rop-a", reason="r", warehouse="WH-SH", item="INF-SET-STD",
                         reorder_point=500, order_up_to=1200)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_folder_round_trip(tiny_net: Network, tmp_path: Path, fmt: str) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot, HISTORY, fmt=fmt)
    adapter = FlatFileAdapter(folder, tiny_net)
    assert adapter.pull_snapshot(DAY) == tiny_net.snapshot
    assert adapter.pull_history(DAY - dt.timedelta(days=7), DAY) == HISTORY
    assert adapter.pull_history(DAY - dt.timedelta(days=1), DAY) == HISTORY[1:]
    with pytest.raises(InputError, match="holds the snapshot of 2026-11-23, not of"):
        adapter.pull_snapshot(DAY + dt.timedelta(days=1))


def test_bad_history_rows_are_located(tiny_net: Network, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot, HISTORY)
    (folder / "history.csv").write_text(
        "date,warehouse,hospital,department,item,lot,quantity\n"
        "2026-11-20,WH-SH,H-RJ,ICU,IVD-TROP-100,L1,two\n"
        "2026-11-21,WH-XX,H-RJ,ICU,NOPE,L1,1\n")
    with pytest.raises(InputError) as err:
        FlatFileAdapter(folder, tiny_net).pull_history(DAY - dt.timedelta(days=9), DAY)
    text = str(err.value)
    assert "history.csv: line 2: quantity" in text
    assert "line 3: item: unknown item 'NOPE'" in text
    assert "line 3: warehouse: unknown warehouse 'WH-XX'" in text


def test_publish_appends_new_keys_only(tiny_net: Network, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot)
    adapter = FlatFileAdapter(folder, tiny_net)
    dry = adapter.publish(plan(TRANSFER), dry_run=True)
    assert [r.outcome for r in dry] == ["would_create"]
    assert not (folder / "plan_lines.csv").exists()
    assert [r.outcome for r in adapter.publish(plan(TRANSFER))] == ["created"]
    again = adapter.publish(plan(TRANSFER, ROP))
    assert [r.outcome for r in again] == ["exists", "created"]
    rows = read_rows(folder / "plan_lines.csv")
    assert [r["key"] for r in rows] == ["transfer-a", "rop-a"]
    assert rows[0]["from"] == "WH-SH" and rows[0]["lot"] == "TROP2610A"
    assert [r.outcome for r in adapter.status(plan(TRANSFER, ROP))] == ["published"] * 2
    (folder / "plan_status.csv").write_text("key,status,document\ntransfer-a,shipped,IS-0042\n")
    status = adapter.status(plan(TRANSFER, ROP))
    assert (status[0].outcome, status[0].message) == ("shipped", "IS-0042")


def test_an_invalid_plan_writes_nothing(tiny_net: Network, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot)
    too_much = TRANSFER.model_copy(update={"quantity": 500})
    with pytest.raises(InputError, match="more than the 38 available"):
        FlatFileAdapter(folder, tiny_net).publish(plan(too_much))
    assert not (folder / "plan_lines.csv").exists()


def test_publish_cli_on_a_folder(tiny_net: Network, tmp_path: Path, tiny_dir: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan(TRANSFER, ROP).model_dump_json(by_alias=True))
    refused = CliRunner().invoke(main, ["publish", str(plan_file), "--erp", str(folder),
                                        "--network", str(tiny_dir)])
    assert refused.exit_code == 6 and not (folder / "plan_lines.csv").exists()
    url, plan_id = approved_in_store(plan_file, tiny_net, tmp_path)
    args = ["plans", "publish", plan_id, "--store", url, "--erp", str(folder), "--network",
            str(tiny_dir)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "2 created" in first.output
    second = CliRunner().invoke(main, [*args[:5], "--erp", str(folder), "--network",
                                       str(tiny_dir), "--dry-run"])
    assert second.exit_code == 0 and "dry run" in second.output


def test_refuses_to_overwrite_a_foreign_folder(tiny_net: Network, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "precious.txt").write_text("keep me")
    with pytest.raises(InputError, match="not an exchange folder"):
        write_folder(tmp_path / "x", tiny_net.snapshot)
    assert (tmp_path / "x" / "precious.txt").exists()


def test_erp_pull_from_a_folder(tiny_net: Network, tmp_path: Path, tiny_dir: Path) -> None:
    source = write_folder(tmp_path / "erp", tiny_net.snapshot, HISTORY)
    out = tmp_path / "pulled"
    result = CliRunner().invoke(main, ["erp", "pull", "--erp", str(source), "--out", str(out),
                                       "--network", str(tiny_dir), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert "pulled 48 lot positions, 1 in transit, 1 open purchase orders as of 2026-11-23; " \
           "2 demand records" in result.output
    assert (out / "lots.parquet").exists()
    assert FlatFileAdapter(out, tiny_net).pull_snapshot(DAY) == tiny_net.snapshot


RETURNS = [ReturnRecord(DAY - dt.timedelta(days=1), "WH-SH", "H-RJ", "ICU", "IVD-TROP-100",
                        "TROP2610A", 1, "defective", DAY - dt.timedelta(days=2)),
           ReturnRecord(DAY - dt.timedelta(days=1), "WH-SH", "H-RJ", "WARD", "INF-SET-STD",
                        "INF2601", 3, "unused")]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_returns_round_trip(tiny_net: Network, tmp_path: Path, fmt: str) -> None:
    """The returns history and the snapshot's returned lots come back from the folder; a
    folder without a returns table has none."""
    net = returns_network(tiny_net)
    folder = write_folder(tmp_path / "x", net.snapshot, HISTORY, fmt=fmt, returns=RETURNS)
    adapter = FlatFileAdapter(folder, net)
    assert adapter.pull_snapshot(DAY).returns == net.snapshot.returns != []
    assert adapter.pull_returns(DAY - dt.timedelta(days=7), DAY) == RETURNS[::-1]  # by item
    assert adapter.pull_returns(DAY, DAY) == []
    (folder / f"returns.{fmt}").unlink()
    assert adapter.pull_returns(DAY - dt.timedelta(days=7), DAY) == []


def test_bad_return_rows_are_located(tiny_net: Network, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot, HISTORY, returns=RETURNS)
    (folder / "returns.csv").write_text(
        "date,warehouse,hospital,department,item,lot,quantity,reason,issued\n"
        "2026-11-20,WH-SH,H-RJ,ICU,IVD-TROP-100,L1,2,broken,\n"
        "2026-11-20,WH-XX,H-RJ,ICU,IVD-TROP-100,L1,2,unused,2026-11-19\n")
    with pytest.raises(InputError) as err:
        FlatFileAdapter(folder, tiny_net).pull_returns(DAY - dt.timedelta(days=7), DAY)
    text = str(err.value)
    assert "returns.csv: line 2: reason" in text and "line 3: warehouse" in text
    assert "unknown warehouse 'WH-XX'" in text


def test_disposition_lines_go_to_the_folder(tiny_net: Network, tmp_path: Path) -> None:
    net = returns_network(tiny_net).model_copy(update={"name": "tiny"})
    folder = write_folder(tmp_path / "x", net.snapshot)
    line = DispositionAction(key="disp-a", warehouse="WH-SH", item="INF-SET-STD",
                             lot="INF2601", quantity=7, reason="unused", decision="scrap",
                             date=DAY)
    adapter = FlatFileAdapter(folder, net)
    with pytest.raises(InputError, match="add up to 8 units by this line, more than the 7"):
        adapter.publish(plan(line.model_copy(update={"quantity": 8})))
    assert [r.outcome for r in adapter.publish(plan(line))] == ["created"]
    (row,) = read_rows(folder / "plan_lines.csv")
    assert (row["kind"], row["decision"], row["reason"], row["date"], row["quantity"]) == (
        "disposition", "scrap", "unused", "2026-11-23", "7")
