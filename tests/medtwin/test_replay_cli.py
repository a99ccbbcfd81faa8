"""``medtwin replay`` against a real Tryton holding the seeded tiny network (its snapshot
and 14 days of recorded demand): the fidelity report, and an altered record detected."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.registry import open_adapter
from erp_adapter.tryton.seeded import SeededDatabase, start_seeded
from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from twin.domain import Network, Snapshot
from twin.network_files import load_network
from twin.replay import fidelity, replay

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "data" / "tiny"
CACHE = REPO / ".cache" / "tryton"
HISTORY = 14


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[TrytonServer, SeededDatabase]]:
    """A running Tryton holding the tiny network seeded on the ERP's today."""
    server, seeded = start_seeded(CACHE, load_network(TINY), HISTORY, tmp_path / "erp")
    monkeypatch.setenv("MEDTWIN_ERP_USER", "admin")
    monkeypatch.setenv("MEDTWIN_ERP_PASSWORD", seeded.password)
    monkeypatch.delenv("MEDTWIN_ERP_SECRETS", raising=False)
    with server:
        yield server, seeded


@pytest.fixture
def erp(seeded: tuple[TrytonServer, SeededDatabase]) -> tuple[TrytonServer, str]:
    return seeded[0], seeded[1].password


@pytest.fixture
def tiny(seeded: tuple[TrytonServer, SeededDatabase]) -> Network:
    """The tiny network as seeded (its snapshot on the ERP's today)."""
    return seeded[1].network


def test_replay_report_explains_every_difference(erp, tiny: Network,
                                                 tmp_path: Path) -> None:
    server, _ = erp
    since = tiny.snapshot.as_of - dt.timedelta(days=HISTORY)
    until = tiny.snapshot.as_of - dt.timedelta(days=1)
    out = tmp_path / "replay"
    result = CliRunner().invoke(main, ["replay", "--erp", server.url, "--since",
                                       since.isoformat(), "--until", until.isoformat(),
                                       "--network", str(TINY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "fidelity.csv").set_index(["warehouse", "item"])
    assert (out / "replay.nc").exists() and (out / "replay.ledger.parquet").exists()
    # the ERP's stock the next morning is the network's snapshot: most positions are exact
    assert (table.difference == 0).sum() >= len(table) - 2
    # the expired quarantined lot at WH-GZ: written off by the twin, still held by the ERP
    gz = table.loc[("WH-GZ", "IVD-TROP-100")]
    assert gz.difference == -gz.twin_scrapped and gz.rest == 0 and gz.twin_scrapped > 0
    # the shipment WH-SH → WH-GZ that left inside the window is an ERP move the start
    # snapshot does not hold: the dispatch gap is exactly its quantity
    moved = sum(t.quantity for t in tiny.snapshot.in_transit if since <= t.shipped <= until
                and t.source == "WH-SH" and t.item == "IVD-TROP-100")
    sh = table.loc[("WH-SH", "IVD-TROP-100")]
    assert sh.dispatch_gap == moved > 0 and sh.difference == moved and sh.rest == 0
    # every difference is explained by a recorded flow
    assert (table.rest == 0).all(), table[table.rest != 0]
    assert "0 with an unexplained rest" in result.output


def test_replay_refuses_a_network_the_erp_does_not_hold(erp, tmp_path: Path) -> None:
    server, _ = erp
    result = CliRunner().invoke(main, ["replay", "--erp", server.url, "--days", "3",
                                       "--network", "reference", "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "the ERP does not hold network 'reference'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def _pulled_window(erp: tuple[TrytonServer, str], tiny: Network
                   ) -> tuple[Snapshot, Snapshot, pd.DataFrame, dt.date]:
    """The seeded history window as the ERP holds it: the snapshots at its start and the
    morning after, the demand it recorded, and its last day."""
    server, password = erp
    since = tiny.snapshot.as_of - dt.timedelta(days=HISTORY)
    until = tiny.snapshot.as_of - dt.timedelta(days=1)
    with open_adapter(server.url, tiny, credentials=Credentials("admin", password)) as a:
        start, end = a.pull_snapshot(since), a.pull_snapshot(until + dt.timedelta(days=1))
        issues = pd.DataFrame([vars(r) for r in a.pull_history(since, until)])
    return start, end, issues, until


def test_an_altered_erp_record_shows_as_a_difference(erp, tiny: Network) -> None:
    start, end, issues, until = _pulled_window(erp, tiny)
    run = replay(tiny, start, issues, until)
    honest = fidelity(run, issues, end).set_index(["warehouse", "item"])
    lots = list(end.lots)
    k = next(i for i, p in enumerate(lots) if (p.warehouse, p.item) == ("WH-HZ", "INF-SET-STD"))
    lots[k] = lots[k].model_copy(update={"quantity": lots[k].quantity - 3})
    altered = fidelity(run, issues, end.model_copy(update={"lots": lots})) \
        .set_index(["warehouse", "item"])
    assert honest.loc[("WH-HZ", "INF-SET-STD")].difference == 0
    row = altered.loc[("WH-HZ", "INF-SET-STD")]
    assert (row.difference, row.rest) == (3, 3)
    assert (replay(tiny, start, issues, until).ledger.equals(run.ledger))  # deterministic


def test_days_replays_the_seeded_window_up_to_yesterday(erp, tiny: Network,
                                                        tmp_path: Path) -> None:
    server, _ = erp
    args = ["replay", "--erp", server.url, "--network", str(TINY)]
    result = CliRunner().invoke(main, [*args, "--days", str(HISTORY), "--out",
                                       str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    first = tiny.snapshot.as_of - dt.timedelta(days=HISTORY)
    last = tiny.snapshot.as_of - dt.timedelta(days=1)
    assert f"replayed {first} … {last} ({HISTORY} days" in result.output
    assert "warning" not in result.output
    # a window that starts before the ERP held any stock: the twin starts empty, and says so
    early = first - dt.timedelta(days=14)
    result = CliRunner().invoke(main, [*args, "--since", early.isoformat(), "--until",
                                       last.isoformat(), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert f"warning: the ERP held no stock at the start of {early}" in result.output
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "give exactly one of --since DATE and --days N" \
        in result.output


def test_an_order_the_erp_never_received_is_a_receipt_gap(erp, tiny: Network) -> None:
    start, end, issues, until = _pulled_window(erp, tiny)
    # an overdue order in the start snapshot: the twin receives it on its due date, the
    # ERP never does
    po = tiny.snapshot.purchase_orders[0].model_copy(update={
        "id": "PO-OVERDUE", "quantity": 70, "ordered": start.as_of - dt.timedelta(days=3),
        "due": start.as_of + dt.timedelta(days=2)})
    start = start.model_copy(update={"purchase_orders": [*start.purchase_orders, po]})
    table = fidelity(replay(tiny, start, issues, until), issues, end) \
        .set_index(["warehouse", "item"])
    row = table.loc[(po.warehouse, po.item)]
    assert (row.difference, row.receipt_gap, row.rest) == (70, -70, 0)
