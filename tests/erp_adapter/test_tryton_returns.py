"""Customer returns in a real Tryton: seeded from return rates, pulled back as history
records and as the snapshot's returned lots, and return rates estimated from them."""

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.flatfile import read_rows
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.seed import (
    quality_control,
    sample_history,
    sample_returns,
    snapshot_returns,
)
from erp_adapter.tryton.seeded import SeededDatabase, ensure_seeded
from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from solvers.calibration.returns import fit_return_rates, with_return_rates
from tests.erp_adapter.conftest import CACHE, Template
from tests.erp_adapter.returns_net import RATES, returns_network
from twin.domain import Network, Plan
from twin.domain.plan import DispositionAction, action_key
from twin.domain.returns import InRepair
from twin.network_files import load_snapshot, save_network
from twin.problems import InputError

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too

HISTORY = 42


@pytest.fixture(scope="module")
def returns_seeded(tryton_template: Template, tiny_net: Network) -> SeededDatabase:
    """The tiny network with return rates and 42 days of history (cached for the day)."""
    return ensure_seeded(CACHE, returns_network(tiny_net), HISTORY)


@pytest.fixture(scope="module")
def returns_erp(returns_seeded: SeededDatabase, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[TrytonServer]:
    """One server for the module: its tests only read, or write documents that move no
    stock (waiting shipments), or are refused before anything is sent."""
    server = TrytonServer.from_template(returns_seeded.db_file, tmp_path_factory.mktemp("erp"))
    with server:
        yield server
    server.backend.drop(server.directory, server.database)


def adapter_for(server: TrytonServer, seeded: SeededDatabase) -> TrytonAdapter:
    return TrytonAdapter(server.url, seeded.network, Credentials("admin", seeded.password))


def test_seeded_returns_come_back_from_tryton(returns_erp: TrytonServer,
                                              returns_seeded: SeededDatabase) -> None:
    net = returns_seeded.network
    as_of = net.snapshot.as_of
    since = as_of - dt.timedelta(days=HISTORY)
    issues = sample_history(net, HISTORY)
    seeded = sample_returns(net, issues)
    assert {r.reason for r in seeded} == {"unused", "defective", "near_expiry"}
    with adapter_for(returns_erp, returns_seeded) as adapter:
        snap = adapter.pull_snapshot(as_of)
        records = adapter.pull_returns(since, as_of - dt.timedelta(days=1))
        moves = adapter.pull_movements(since, as_of - dt.timedelta(days=1))
        assert adapter.warnings == []
    # every seeded return from a department (the history's and the snapshot's), by day,
    # department, item, lot and reason
    from_departments = [*seeded, *(s for s in snapshot_returns(net) if "/" in s.customer
                                   and not s.customer.startswith("INTERCO/"))]
    pulled: Counter[tuple] = Counter()
    for r in records:
        pulled[(r.date, r.warehouse, r.hospital, r.department, r.item, r.lot, r.reason)] += (
            r.quantity)
    expected: Counter[tuple] = Counter()
    for s in from_departments:
        expected[(s.day, s.warehouse, *s.customer.split("/"), s.item, s.lot, s.reason)] += (
            s.quantity)
    assert pulled == expected
    # QC emptied the returns zone of the history; what waits is the snapshot's returns,
    # and the restocked units are back in the available stock: the snapshot is exact
    assert sorted(snap.returns, key=str) == sorted(net.snapshot.returns, key=str)
    assert snap.repairs == net.snapshot.repairs != []
    assert sorted(lp.model_dump_json() for lp in snap.lots) == sorted(
        lp.model_dump_json() for lp in net.snapshot.lots)
    disposals = quality_control(net, seeded)
    assert {d.decision for d in disposals} == {"restock", "scrap"}
    # the warehouses' stock takes returned units when QC restocks them
    restocked = sum(d.quantity for d in disposals if d.decision == "restock")
    assert sum(m.quantity for m in moves if m.kind == "return") == restocked > 0
    assert not [m for m in moves if m.kind == "adjustment" and m.date > since]


def test_return_rates_are_recovered_from_the_pulled_history(
        returns_erp: TrytonServer, returns_seeded: SeededDatabase) -> None:
    """The rates and delays fitted to a real Tryton pull match the seeded ones within
    sampling error (4 binomial standard deviations of the rate, 4 standard errors of the
    mean delay)."""
    net = returns_seeded.network
    until = net.snapshot.as_of - dt.timedelta(days=1)
    since = until - dt.timedelta(days=HISTORY - 1)
    with adapter_for(returns_erp, returns_seeded) as adapter:
        fit = fit_return_rates(adapter.pull_history(since, until),
                               adapter.pull_returns(since, until), until)
    assert fit.unmatched == 7  # the snapshot's returned lot from ICU, which issued none
    got = {(f.key, f.rate.reason): f for f in fit.rates}
    assert set(got) == {(k, r.reason) for k, rates in RATES.items() for r in rates}
    for key, rates in RATES.items():
        for r in rates:
            f = got[(key, r.reason)]
            sd = math.sqrt(r.rate * (1 - r.rate) / f.exposed)
            assert abs(f.rate.rate - r.rate) <= 4 * sd + 1e-4, (key, r.reason, f)
            n = f.returned  # units; returns come in groups, so count a group per unit
            delay_se = max(r.delay_days.spread, 0.5) / math.sqrt(max(1, n / 5))
            assert abs(f.rate.delay_days.mean - max(1, r.delay_days.mean)) <= 4 * delay_se
    pulled = with_return_rates(net, fit)
    assert [d.returns for d in pulled.demand if not d.returns] == [
        [] for d in net.demand if not d.returns]


def disposition_plan(net: Network) -> Plan:
    """QC's decisions for the snapshot's returned lots: half the unused infusion sets back
    to stock, the rest scrapped; the defective reagent kits to their supplier for repair."""
    day = net.snapshot.as_of

    def line(item: str, lot: str, qty: int, reason: str, decision: str,
             repairer: str | None = None) -> DispositionAction:
        return DispositionAction(
            key=action_key("disposition", "WH-SH", item, lot, reason, decision, day),
            warehouse="WH-SH", item=item, lot=lot, quantity=qty, reason=reason,
            decision=decision, date=day, repairer=repairer,
            repair_due=day + dt.timedelta(days=14) if repairer else None)

    return Plan(id="qc", network=net.name, as_of=day, horizon_days=14,
                created=dt.datetime.combine(day, dt.time(), dt.UTC), actions=[
        line("INF-SET-STD", "INF2601", 4, "unused", "restock"),
        line("INF-SET-STD", "INF2601", 3, "unused", "scrap"),
        line("IVD-TROP-100", "TROP2610A", 2, "defective", "repair", "SUP-DX")])


def test_dispositions_beyond_the_returned_units_are_refused(
        returns_erp: TrytonServer, returns_seeded: SeededDatabase) -> None:
    net = returns_seeded.network
    plan = disposition_plan(net)
    too_many = plan.model_copy(update={"actions": [
        plan.actions[0].model_copy(update={"quantity": 5}), *plan.actions[1:]]})
    with adapter_for(returns_erp, returns_seeded) as adapter:
        with pytest.raises(InputError) as err:
            adapter.publish(too_many)
        assert adapter.client.model("stock.shipment.in.return").search_count(
            [("reference", "like", "%disposition-%")]) == 0
    assert "add up to 8 units by this line, more than the 7 waiting for QC" in str(err.value)


def test_dispositions_become_tryton_documents_once(returns_erp: TrytonServer,
                                                   returns_seeded: SeededDatabase) -> None:
    net = returns_seeded.network
    plan = disposition_plan(net)
    keys = [a.key for a in plan.actions]
    with adapter_for(returns_erp, returns_seeded) as adapter:
        first = adapter.publish(plan)
        assert [r.outcome for r in first] == ["created"] * 3, first
        again = adapter.publish(plan)
        assert [r.outcome for r in again] == ["exists"] * 3, again
        c, sites = adapter.client, adapter.sites
        internal = c.model("stock.shipment.internal").search_read(
            [("reference", "like", "disposition-%")],
            ["reference", "state", "from_location", "to_location", "moves"])
        repair = c.model("stock.shipment.in.return").search_read(
            [("reference", "like", "disposition-%")],
            ["reference", "state", "supplier", "from_location", "to_location", "moves"])
        moves = {m["id"]: m for m in c.model("stock.move").search_read(
            [("id", "in", [m for s in internal + repair for m in s["moves"]])],
            ["quantity", "lot.number"])}
        assert [s.outcome for s in adapter.status(plan)] == ["processed"] * 3
    rets = sites.returns["WH-SH"]
    got = {(s["reference"], s["state"], s["from_location"], s["to_location"],
            tuple((moves[m]["lot."]["number"], moves[m]["quantity"]) for m in s["moves"]))
           for s in internal + repair}
    assert got == {
        (keys[0], "waiting", rets, sites.storage["WH-SH"], (("INF2601", 4.0),)),
        (keys[1], "waiting", rets, sites.lost_found["WH-SH"], (("INF2601", 3.0),)),
        (f"{keys[2]} due:{net.snapshot.as_of + dt.timedelta(days=14)}", "waiting", rets,
         sites.party_supplier_location[sites.party["SUP-DX"]], (("TROP2610A", 2.0),))}
    assert repair[0]["supplier"] == sites.party["SUP-DX"]
    # once the warehouse ships them, the kits are out for repair, due back as planned
    day = net.snapshot.as_of
    with adapter_for(returns_erp, returns_seeded) as adapter:
        ids = adapter.client.model("stock.shipment.in.return").search(
            [("reference", "like", f"%{keys[2]}%")])
        for button in ("assign_force", "do"):
            adapter.client.model("stock.shipment.in.return").button(
                button, ids, context={"company": sites.org_company["GRP"]}, accept_warnings=True)
        out = adapter.pull_snapshot(day + dt.timedelta(days=1)).repairs
    assert sorted(out, key=str) == sorted([*net.snapshot.repairs, InRepair(
        warehouse="WH-SH", item="IVD-TROP-100", lot="TROP2610A",
        expiry=net.snapshot.returns[1].expiry, quantity=2, sent=day,
        due=day + dt.timedelta(days=14))], key=str)


def test_erp_pull_writes_returns_and_fitted_rates(
        returns_erp: TrytonServer, returns_seeded: SeededDatabase, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    net = returns_seeded.network
    monkeypatch.setenv("MEDTWIN_ERP_USER", "admin")
    monkeypatch.setenv("MEDTWIN_ERP_PASSWORD", returns_seeded.password)
    monkeypatch.delenv("MEDTWIN_ERP_SECRETS", raising=False)
    save_network(net, tmp_path / "net", [("snapshot", "lots")])
    out = tmp_path / "pulled"
    result = CliRunner().invoke(main, [
        "erp", "pull", "--erp", returns_erp.url, "--out", str(out), "--network",
        str(tmp_path / "net"), "--as-of", net.snapshot.as_of.isoformat(),
        "--since", (net.snapshot.as_of - dt.timedelta(days=HISTORY)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "7 of issues before it); return rates of 2 demand models" in result.output
    assert sorted(load_snapshot(out / "snapshot.yaml", net).snapshot.returns, key=str) == sorted(
        net.snapshot.returns, key=str)
    rates = {(r["hospital"], r["department"], r["item"], r["reason"]): float(r["rate"])
             for r in read_rows(out / "return_rates.csv")}
    assert set(rates) == {(*k, r.reason) for k, rs in RATES.items() for r in rs}
    assert len(read_rows(out / "returns.csv")) > 20
