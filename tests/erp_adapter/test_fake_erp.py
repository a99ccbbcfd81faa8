"""An ERP added in the tests, through the protocol and the registry alone.

``FakeErp`` is a real JSON-RPC 2.0 server (``http.server`` on 127.0.0.1) with its own
document model, nothing like Tryton's: ``stock_lines`` and ``moving_lines`` (stock by
site, sku and batch), ``buy_orders``, ``consumption`` (what wards used), and for plans
``transfer_orders``, ``buy_orders`` and ``min_max`` rows keyed by ``ref``. ``FakeErpAdapter``
implements :class:`~erp_adapter.protocol.ErpAdapter` for it, and one registry entry
(``fake+http://``) is all it takes for medtwin's own publish path (``send_plan``, used by
``medtwin publish`` and ``medtwin plans publish``) and the nightly's pull to use it: no
change outside ``erp_adapter/``.
"""

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from erp_adapter.errors import ErpRemoteError, ErpUnreachable
from erp_adapter.flatfile import write_folder
from erp_adapter.plan_check import check_plan
from erp_adapter.protocol import (
    Capability,
    DemandRecord,
    DocumentRef,
    ErpAdapter,
    LineResult,
    MissingCapability,
    default_as_of,
    require,
)
from erp_adapter.registry import DEFAULT_REGISTRY, AdapterOptions, ErpRegistry, open_adapter
from medtwin.cli import main
from medtwin.commands.publish import send_plan
from medtwin.nightly.config import NightlyConfig
from medtwin.nightly.pipeline import _pull
from twin.domain import (
    InTransit,
    LotPosition,
    Network,
    Plan,
    PurchaseAction,
    PurchaseOrder,
    ReorderPointAction,
    Snapshot,
    TransferAction,
)
from twin.problems import InputError, Problem

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "data" / "tiny"
HOLD = {"available": "free", "quarantine": "qc", "reserved": "allocated"}
STATUS = {v: k for k, v in HOLD.items()}
PLAN_TABLES = {"transfer": "transfer_orders", "purchase": "buy_orders",
               "reorder_point": "min_max"}


# -- the fake ERP server ---------------------------------------------------------------------
class FakeErp:
    """A JSON-RPC 2.0 server on 127.0.0.1 holding tables of rows (its whole state).

    Methods: ``clock.today`` → ISO date; ``docs.select(table, where)`` → rows equal to
    ``where`` on its keys; ``docs.insert(table, rows)`` → their new ``id``s.
    """

    def __init__(self, today: dt.date):
        self.today = today
        self.tables: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("stock_lines", "moving_lines", "buy_orders", "consumption",
                                  "transfer_orders", "min_max")}
        self.calls: list[str] = []
        self._lock = threading.Lock()
        erp = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    reply = {"result": erp.call(request["method"], request.get("params", []))}
                except (KeyError, ValueError) as exc:
                    reply = {"error": {"code": -32000, "message": str(exc)}}
                body = json.dumps({"jsonrpc": "2.0", "id": request.get("id"), **reply})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"fake+http://127.0.0.1:{self.httpd.server_address[1]}/rpc"

    def call(self, method: str, params: list[Any]) -> Any:
        self.calls.append(method)
        with self._lock:
            if method == "clock.today":
                return self.today.isoformat()
            if method == "docs.select":
                table, where = params
                return [r for r in self.tables[table]
                        if all(r.get(k) == v for k, v in where.items())]
            if method == "docs.insert":
                table, rows = params
                ids = []
                for row in rows:
                    ids.append(sum(map(len, self.tables.values())) + 1)
                    self.tables[table].append({**row, "id": ids[-1]})
                return ids
        raise ValueError(f"no method {method!r}")

    def load(self, snapshot: Snapshot, history: list[DemandRecord]) -> None:
        """Hold ``snapshot`` as today's closing stock and ``history`` as consumption."""
        t = self.tables
        t["stock_lines"] += [{"site": p.warehouse, "sku": p.item, "batch": p.lot,
                              "best_before": p.expiry.isoformat(), "units": p.quantity,
                              "hold": HOLD[p.status]} for p in snapshot.lots]
        t["moving_lines"] += [{"origin_site": m.source, "dest_site": m.target,
                               "carrier": m.mode, "sku": m.item, "batch": m.lot,
                               "best_before": m.expiry.isoformat(), "units": m.quantity,
                               "left_on": m.shipped.isoformat(), "arrives_on": m.eta.isoformat(),
                               "cold_ok": m.temperature == "ok"} for m in snapshot.in_transit]
        t["buy_orders"] += [{"ref": None, "line_ref": o.id, "vendor": o.supplier, "sku": o.item,
                             "site": o.warehouse, "units": o.quantity,
                             "placed_on": o.ordered.isoformat(), "due_on": o.due.isoformat(),
                             "open": True} for o in snapshot.purchase_orders]
        t["consumption"] += [{"day": r.date.isoformat(), "site": r.warehouse,
                              "ward": f"{r.hospital}:{r.department}", "sku": r.item,
                              "batch": r.lot, "units": r.quantity} for r in history]

    def __enter__(self) -> "FakeErp":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


# -- its adapter ------------------------------------------------------------------------------
class FakeErpAdapter:
    """:class:`~erp_adapter.protocol.ErpAdapter` for :class:`FakeErp` (``fake+http://…``).

    The ERP holds today's closing stock only: it pulls the snapshot as of its tomorrow.
    """

    name = "fake"
    capabilities = frozenset({Capability.SNAPSHOT, Capability.HISTORY, Capability.PUBLISH,
                              Capability.STATUS})

    def __init__(self, url: str, network: Network | None, options: AdapterOptions):
        self._url = url
        self.endpoint = url.removeprefix("fake+")
        self.net = network
        self.warnings: list[str] = []
        self.alerts: list = []
        self._ids = 0

    @property
    def url(self) -> str:
        return self._url

    def __enter__(self) -> "FakeErpAdapter":
        self.today()  # fail early if the ERP is not there
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _call(self, method: str, *params: Any) -> Any:
        self._ids += 1
        data = json.dumps({"jsonrpc": "2.0", "id": self._ids, "method": method,
                           "params": list(params)}).encode()
        request = urllib.request.Request(self.endpoint, data,
                                         {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply = json.loads(response.read())
        except (urllib.error.URLError, OSError) as exc:
            raise ErpUnreachable(f"fake ERP at {self.endpoint} did not answer: {exc}") from None
        if "error" in reply:
            raise ErpRemoteError(method, reply["error"]["message"])
        return reply["result"]

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self._call("clock.today"))

    def pull_snapshot(self, as_of: dt.date) -> Snapshot:
        closing = self.today() + dt.timedelta(days=1)
        if as_of != closing:
            raise InputError([Problem("--as-of", "", f"the fake ERP only knows the stock as "
                                                     f"of {closing}, not of {as_of}")])
        stock = self._call("docs.select", "stock_lines", {})
        moving = self._call("docs.select", "moving_lines", {})
        bought = self._call("docs.select", "buy_orders", {"open": True})
        return Snapshot(
            as_of=as_of,
            lots=[LotPosition(warehouse=r["site"], item=r["sku"], lot=r["batch"],
                              expiry=r["best_before"], quantity=r["units"],
                              status=STATUS[r["hold"]]) for r in stock],
            in_transit=[InTransit(**{"from": r["origin_site"], "to": r["dest_site"]},
                                  mode=r["carrier"], item=r["sku"], lot=r["batch"],
                                  expiry=r["best_before"], quantity=r["units"],
                                  shipped=r["left_on"], eta=r["arrives_on"],
                                  temperature="ok" if r["cold_ok"] else "excursion")
                        for r in moving],
            purchase_orders=[PurchaseOrder(id=r["line_ref"], supplier=r["vendor"],
                                           item=r["sku"], warehouse=r["site"],
                                           quantity=r["units"], ordered=r["placed_on"],
                                           due=r["due_on"]) for r in bought])

    def pull_history(self, since: dt.date, until: dt.date) -> list[DemandRecord]:
        out = []
        for r in self._call("docs.select", "consumption", {}):
            day = dt.date.fromisoformat(r["day"])
            if since <= day <= until:
                hospital, _, department = r["ward"].partition(":")
                out.append(DemandRecord(day, r["site"], hospital, department, r["sku"],
                                        r["batch"], r["units"]))
        return out

    def _row(self, action: Any) -> dict[str, Any]:
        if action.kind == "transfer":
            return {"src": action.source, "dst": action.target, "carrier": action.mode,
                    "sku": action.item, "batch": action.lot, "units": action.quantity,
                    "ship_on": action.ship_date.isoformat(), "rush": action.emergency}
        if action.kind == "purchase":
            return {"line_ref": action.key, "vendor": action.supplier, "sku": action.item,
                    "site": action.warehouse, "units": action.quantity,
                    "placed_on": action.order_date.isoformat(), "due_on": None,
                    "open": False}  # a draft until a buyer confirms it
        return {"site": action.warehouse, "sku": action.item, "min": action.reorder_point,
                "max": action.order_up_to, "safety": action.safety_stock}

    def publish(self, plan: Plan, *, dry_run: bool = False, file: str = "plan"
                ) -> list[LineResult]:
        if self.net is None:
            raise InputError([Problem("--network", "", "publishing needs a network")])
        stock = (self.pull_snapshot(plan.as_of)
                 if plan.as_of == self.today() + dt.timedelta(days=1) else None)
        problems = check_plan(plan, self.net, stock, file=file)
        if problems:
            raise InputError(problems)
        results = []
        for action in plan.actions:
            table = PLAN_TABLES[action.kind]
            found = self._call("docs.select", table, {"ref": action.key})
            if found:
                outcome, docs = "exists", [DocumentRef(table, r["id"], "open") for r in found]
            elif dry_run:
                outcome, docs = "would_create", [DocumentRef(table, None, "to create")]
            else:
                ids = self._call("docs.insert", table, [{**self._row(action), "ref": action.key}])
                outcome, docs = "created", [DocumentRef(table, i, "open") for i in ids]
            results.append(LineResult(action.key, action.kind, outcome, docs))
        return results

    def status(self, plan: Plan, file: str = "plan") -> list[LineResult]:
        return [LineResult(a.key, a.kind, "published" if self._call(
            "docs.select", PLAN_TABLES[a.kind], {"ref": a.key}) else "missing")
            for a in plan.actions]


def fake_registry() -> ErpRegistry:
    """The built-in registry plus one entry: that is all adding an ERP takes."""
    return DEFAULT_REGISTRY.with_scheme("fake+http", FakeErpAdapter)


# -- the tests ------------------------------------------------------------------------------
@dataclass
class Running:
    erp: FakeErp
    net: Network
    history: list[DemandRecord]


@pytest.fixture
def fake_erp(tiny_net: Network) -> Iterator[Running]:
    """The tiny network's snapshot held by a running fake ERP whose today is the day before."""
    snap = tiny_net.snapshot
    history = [DemandRecord(snap.as_of - dt.timedelta(days=2), "WH-SH", "H-RJ", "ICU",
                            "IVD-TROP-100", "TROP2610A", 2),
               DemandRecord(snap.as_of - dt.timedelta(days=1), "WH-GZ", "H-ZS", "LAB",
                            "IVD-TROP-100", "TROP2610A", 1)]
    with FakeErp(snap.as_of - dt.timedelta(days=1)) as erp:
        erp.load(snap, history)
        yield Running(erp, tiny_net, history)


def _plan(day: dt.date) -> Plan:
    return Plan(id="tiny-fake", network="tiny", as_of=day, horizon_days=7,
                created=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), actions=[
                    TransferAction(key="transfer-a", reason="r",
                                   **{"from": "WH-SH", "to": "WH-GZ"}, mode="road",
                                   item="IVD-TROP-100", lot="TROP2610A", quantity=5,
                                   ship_date=day),
                    PurchaseAction(key="purchase-a", reason="r", supplier="SUP-MED",
                                   item="INF-SET-STD", warehouse="WH-SH", quantity=2000,
                                   order_date=day),
                    ReorderPointAction(key="rop-a", reason="r", warehouse="WH-SH",
                                       item="INF-SET-STD", reorder_point=500, order_up_to=1200)])


def test_the_fake_adapter_satisfies_the_protocol(fake_erp: Running) -> None:
    adapter = open_adapter(fake_erp.erp.url, fake_erp.net, registry=fake_registry())
    assert isinstance(adapter, ErpAdapter)
    assert adapter.name == "fake"


def test_pull_through_the_registry(fake_erp: Running) -> None:
    snap = fake_erp.net.snapshot
    with open_adapter(fake_erp.erp.url, fake_erp.net, registry=fake_registry()) as adapter:
        as_of = default_as_of(adapter)
        assert as_of == snap.as_of
        assert adapter.pull_snapshot(as_of) == snap
        assert adapter.pull_history(as_of - dt.timedelta(days=7),
                                    as_of - dt.timedelta(days=1)) == fake_erp.history


def test_the_nightly_pull_uses_the_registry(fake_erp: Running) -> None:
    cfg = NightlyConfig(network=str(TINY), erp=fake_erp.erp.url, store="sqlite:///:memory:",
                        out_dir="unused", history_days=7)
    as_of, net, frame, alerts = _pull(cfg, fake_erp.net, None, lambda s: None,
                                      fake_registry())
    assert as_of == fake_erp.net.snapshot.as_of
    assert net.snapshot == fake_erp.net.snapshot
    assert frame.quantity.sum() == 3 and alerts == []


def test_publish_twice_through_medtwins_publish_path(fake_erp: Running, capsys) -> None:
    erp, url = fake_erp.erp, fake_erp.erp.url
    plan = _plan(fake_erp.net.snapshot.as_of)
    registry = fake_registry()

    dry = send_plan(plan, url, str(TINY), dry_run=True, registry=registry)
    assert [r.outcome for r in dry] == ["would_create"] * 3
    assert not erp.tables["transfer_orders"] and not erp.tables["min_max"]

    first = send_plan(plan, url, str(TINY), dry_run=False, registry=registry)
    assert [r.outcome for r in first] == ["created"] * 3
    counts = {name: len(rows) for name, rows in erp.tables.items()}
    assert counts["transfer_orders"] == 1 and counts["min_max"] == 1
    assert [r["ref"] for r in erp.tables["buy_orders"]] == [None, "purchase-a"]

    second = send_plan(plan, url, str(TINY), dry_run=False, registry=registry)
    assert [r.outcome for r in second] == ["exists"] * 3
    assert {name: len(rows) for name, rows in erp.tables.items()} == counts
    assert "docs.insert" in erp.calls
    assert f"published tiny-fake to {url}: 3 exists" in capsys.readouterr().out

    with open_adapter(url, fake_erp.net, registry=registry) as adapter:
        assert {r.outcome for r in adapter.status(plan)} == {"published"}


def test_an_invalid_plan_is_refused_before_anything_is_sent(fake_erp: Running) -> None:
    good = _plan(fake_erp.net.snapshot.as_of)
    too_many = good.actions[0].model_copy(update={"quantity": 10_000})  # WH-SH holds 30
    plan = good.model_copy(update={"actions": [too_many, *good.actions[1:]]})
    with pytest.raises(InputError):
        send_plan(plan, fake_erp.erp.url, str(TINY), dry_run=False, registry=fake_registry())
    assert "docs.insert" not in fake_erp.erp.calls


def test_a_missing_capability_names_the_adapter(fake_erp: Running) -> None:
    adapter = open_adapter(fake_erp.erp.url, fake_erp.net, registry=fake_registry())
    with pytest.raises(MissingCapability, match=r"the fake adapter at fake\+http://.* cannot "
                                                r"trace a lot: it lacks TRACE \(trace a lot"):
        require(adapter, Capability.TRACE, "trace a lot")
    assert require(adapter, Capability.PUBLISH) is adapter


def test_an_unknown_scheme_is_invalid_input(tiny_net: Network) -> None:
    with pytest.raises(InputError, match=r"no ERP adapter for fake\+http:// \(known: file, "
                                         r"http, https"):
        open_adapter("fake+http://127.0.0.1:1/rpc", tiny_net)


def test_a_stopped_fake_erp_is_unreachable(tiny_net: Network) -> None:
    with FakeErp(dt.date(2026, 11, 22)) as erp:
        url = erp.url
    with pytest.raises(ErpUnreachable), open_adapter(url, tiny_net, registry=fake_registry()):
        pass


def test_cli_trace_on_a_folder_exits_2_naming_the_adapter(tiny_net: Network,
                                                          tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot)
    result = CliRunner().invoke(main, ["trace", "TROP2610A", "--erp", str(folder)])
    assert result.exit_code == 2, result.output
    assert "the folder adapter at" in result.output
    assert "cannot trace a lot" in result.output


def test_cli_replay_of_a_folder_exits_2_naming_the_adapter(tiny_net: Network,
                                                           tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "x", tiny_net.snapshot)
    result = CliRunner().invoke(main, ["replay", "--erp", str(folder), "--network", str(TINY),
                                       "--since", "2026-11-20", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2, result.output
    assert "the folder adapter at" in result.output
    assert "cannot replay ERP history: it lacks LIVE" in result.output
