"""Faults: a server killed mid-publish, wrong password, unreachable server, unknown product
code, a plan that fails validation — each ends in a clear error, a non-zero exit, and
nothing half-written; a publish run again after a crash creates no duplicate and misses no
document. The kill, resume, stuck and purchase-mode tests run on Tryton on SQLite and on
PostgreSQL (production's backend; those runs are marked ``postgresql``: ``make
test-erp-postgresql``); the others, refused before anything is written, on SQLite."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials
from erp_adapter.errors import PublishInterrupted
from erp_adapter.tryton.adapter import TrytonAdapter
from erp_adapter.tryton.client import TrytonClient
from erp_adapter.tryton.server import SQLITE, TrytonServer, free_port
from medtwin.cli import main
from tests.medtwin.store.samples import approved_in_store
from twin.domain import Network, Plan, PurchaseAction, TransferAction
from twin.domain.plan import action_key

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too

BOTH_BACKENDS = pytest.mark.parametrize(
    "tryton_backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
"""The test's server (``seeded_erp``, ``tiny_erp``) on SQLite, then on PostgreSQL."""


def many_lines_plan(day: dt.date, n_inside: int, n_across: int = 0, n_purchases: int = 0
                    ) -> Plan:
    """From ``day`` on: ``n_inside`` one-unit transfers WH-SH → WH-HZ, ``n_across``
    WH-SH → WH-GZ (two orgs) and ``n_purchases`` purchase orders, each line with its own
    key."""
    actions: list = []
    for i in range(n_inside):
        actions.append(TransferAction(
            key=action_key("transfer", "inside", i), reason="fault test",
            **{"from": "WH-SH", "to": "WH-HZ"}, item="INF-SET-STD", lot="INF2601", quantity=1,
            ship_date=day + dt.timedelta(days=i)))  # one shipment per line: one per day
    for i in range(n_across):
        actions.append(TransferAction(
            key=action_key("transfer", "across", i), reason="fault test",
            **{"from": "WH-SH", "to": "WH-GZ"}, item="IVD-TROP-100", lot="TROP2610A",
            quantity=1, ship_date=day))
    for i in range(n_purchases):
        actions.append(PurchaseAction(
            key=action_key("purchase", i), reason="fault test", supplier="SUP-MED",
            item="INF-SET-STD", warehouse="WH-SH", quantity=500 + i, order_date=day))
    return Plan(id="faults", network="tiny", as_of=day, horizon_days=14,
                created=dt.datetime.combine(day, dt.time(), dt.UTC), actions=actions)


def assert_each_key_once_and_published(docs, url: str, plan: Plan) -> None:
    keyed = docs.keyed(url, [a.key for a in plan.actions])
    for a in plan.actions:
        found = sorted(keyed[a.key])
        if a.kind == "transfer" and a.target == "WH-GZ":
            assert found == [("purchase.purchase", "processing"), ("sale.sale", "processing")], \
                (a.key, found)
        elif a.kind == "transfer":
            assert found == [("stock.shipment.internal", "waiting")], (a.key, found)
        else:
            assert found == [("purchase.purchase", "processing")], (a.key, found)


@BOTH_BACKENDS
@pytest.mark.parametrize("kill_at", ["created:stock.shipment.internal", "quote:sale.sale",
                                     "created:purchase.purchase"])
def test_crash_between_create_and_confirm_resumes_without_duplicates(
        tiny_erp: TrytonServer, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        docs, kill_at: str) -> None:
    plan = many_lines_plan(erp_day, n_inside=6, n_across=3, n_purchases=2)
    calls = []

    def crash(event: str, n: int) -> None:
        calls.append(event)
        if event == kill_at:
            tiny_erp.kill()

    adapter = TrytonAdapter(tiny_erp.url, erp_net, batch=2, hook=crash).connect()
    with pytest.raises(PublishInterrupted, match="run the same publish again"):
        adapter.publish(plan)
    assert kill_at in calls
    tiny_erp.start()
    left = docs.keyed(tiny_erp.url, [a.key for a in plan.actions])
    assert any(state in ("draft", "quotation") for found in left.values()
               for _, state in found), "the crash should leave documents not yet confirmed"
    with TrytonAdapter(tiny_erp.url, erp_net, batch=2) as adapter:
        results = adapter.publish(plan)
    assert {r.outcome for r in results} <= {"created", "completed", "exists"}
    assert_each_key_once_and_published(docs, tiny_erp.url, plan)
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        assert {r.outcome for r in adapter.publish(plan)} == {"exists"}


QUEUE_WITHOUT_WORKER = "TRYTOND_QUEUE__WORKER"
"""Set to ``True`` for a server, Tryton queues the ``process`` that confirming a sale or
purchase (approving a requisition) asks for, for a worker that never comes: the database
is left exactly as a server killed between the confirming commit and that follow-up step
leaves it (the document confirmed, its ``ir.queue`` task pending, no shipment or move)."""

# The rows are every step the publisher drives, on each document type. Shipments: an
# internal shipment's last step is ``wait`` (the publisher never presses ``assign_try``:
# reserving stock is the warehouse's business); a sale's customer shipment is created and
# set waiting by Tryton's ``process`` inside that one transaction (``sale_wait_shipment``,
# on by default), so its boundaries are those around ``confirm`` and ``process``.
# kill point: (event after which the server dies, server queues processing for an absent
# worker, purchase mode) → status of the lines (inside, across, purchase) before the resume
FAULT_MATRIX = {
    "created:stock.shipment.internal": (False, "order", ("created", "missing", "missing")),
    "wait:stock.shipment.internal": (False, "order", ("processed", "missing", "missing")),
    "created:sale.sale": (False, "order", ("processed", "created", "missing")),
    "quote:sale.sale": (False, "order", ("processed", "created", "missing")),
    "confirm:sale.sale": (False, "order", ("processed", "created", "missing")),
    "confirm:sale.sale/unprocessed": (True, "order", ("processed", "stuck", "missing")),
    "process:sale.sale": (True, "order", ("processed", "created", "missing")),
    "created:purchase.purchase": (False, "order", ("processed", "created", "missing")),
    "quote:purchase.purchase": (False, "order", ("processed", "created", "created")),
    "confirm:purchase.purchase": (False, "order", ("processed", "processed", "created")),
    "confirm:purchase.purchase/unprocessed": (True, "order", ("processed", "stuck", "created")),
    "process:purchase.purchase": (True, "order", ("processed", "processed", "stuck")),
    "created:purchase.requisition": (False, "requisition", ("processed", "processed",
                                                            "created")),
    "wait:purchase.requisition": (False, "requisition", ("processed", "processed", "created")),
    "approve:purchase.requisition/unprocessed": (True, "requisition", ("processed",
                                                                       "processed", "stuck")),
    "process:purchase.requisition": (True, "requisition", ("processed", "processed",
                                                           "processed")),
}


def whole_state(url: str, credentials: Credentials, plan: Plan) -> dict[str, list[str]]:
    """Per line, each document carrying its key with what it should have made: an internal
    shipment its moves, a sale its customer shipment (and its state) and one move per line,
    a purchase one move per line, a requisition one purchase request per line (read
    independently of the publisher's own check)."""
    keys = {a.key for a in plan.actions}
    out: dict[str, list[str]] = {k: [] for k in keys}
    with TrytonClient(url, credentials) as client:
        for model, field, lines, made in (
                ("stock.shipment.internal", "reference", None, None),
                ("sale.sale", "reference", "sale.line", "moves"),
                ("purchase.purchase", "reference", "purchase.line", "moves"),
                ("purchase.requisition", "description", "purchase.requisition.line",
                 "purchase_requests")):
            extra = {"stock.shipment.internal": ["moves"], "sale.sale": ["shipments"]}
            for doc in client.model(model).search_read(
                    [(field, "!=", None)], [field, "state", "lines" if lines else "moves",
                                            *extra.get(model, [])]):
                mine = [k for k in doc[field].split() if k in keys]
                if not mine:
                    continue
                if lines is None:
                    shape = f"{doc['state']} with {len(doc['moves'])} moves"
                else:
                    counts = sorted({len(r[made]) for r in client.model(lines).read(
                        doc["lines"], [made])})
                    shape = f"{doc['state']} with {counts} {made} per line"
                if model == "sale.sale":  # the customer shipment Tryton's process made
                    states = sorted(r["state"] for r in client.model(
                        "stock.shipment.out").read(doc["shipments"], ["state"]))
                    shape += f", {len(states)} shipment {' '.join(states)}"
                for k in mine:
                    out[k].append(f"{model}: {shape}")
    return {k: sorted(v) for k, v in out.items()}


FAST = {"confirm:sale.sale", "confirm:sale.sale/unprocessed", "confirm:purchase.purchase",
        "confirm:purchase.purchase/unprocessed", "process:purchase.purchase",
        "approve:purchase.requisition/unprocessed", "process:purchase.requisition"}
"""The boundaries around the confirming step run in the quick suite; the others (create,
quote, wait: drafts resumed, as the crash test above also checks) with the slow ones."""


@BOTH_BACKENDS
@pytest.mark.parametrize("kill_at", [k if k in FAST else pytest.param(k, marks=pytest.mark.slow)
                                     for k in FAULT_MATRIX])
def test_server_killed_at_each_step_boundary_resumes_to_whole_documents(
        start_server, seeded_erp, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        monkeypatch: pytest.MonkeyPatch, kill_at: str) -> None:
    unprocessed, mode, before = FAULT_MATRIX[kill_at]
    event = kill_at.split("/")[0]
    plan = many_lines_plan(erp_day, n_inside=1, n_across=1, n_purchases=1)
    if unprocessed:
        monkeypatch.setenv(QUEUE_WITHOUT_WORKER, "True")
    erp = start_server(seeded_erp)
    monkeypatch.delenv(QUEUE_WITHOUT_WORKER, raising=False)  # restarts come up normal
    calls: list[str] = []

    def crash(ev: str, n: int) -> None:
        calls.append(ev)
        if ev == event:
            erp.kill()

    adapter = TrytonAdapter(erp.url, erp_net, purchase_mode=mode, hook=crash).connect()
    with pytest.raises(PublishInterrupted, match="run the same publish again"):
        adapter.publish(plan)
    assert calls[-1] == event
    erp.start()
    with TrytonAdapter(erp.url, erp_net, purchase_mode=mode) as adapter:
        assert tuple(r.outcome for r in adapter.status(plan)) == before
        resumed = adapter.publish(plan)
        status = adapter.status(plan)
    assert {r.outcome for r in resumed} <= {"created", "completed", "exists"}
    assert [r.outcome for r in status] == ["processed"] * 3
    inside, across, purchase = (a.key for a in plan.actions)
    bought = (["purchase.purchase: processing with [1] moves per line"] if mode == "order"
              else ["purchase.requisition: processing with [1] purchase_requests per line"])
    assert whole_state(erp.url, erp_env, plan) == {
        inside: ["stock.shipment.internal: waiting with 2 moves"],  # out to transit, in
        across: ["purchase.purchase: processing with [1] moves per line",
                 "sale.sale: processing with [1] moves per line, 1 shipment waiting"],
        purchase: bought}


@BOTH_BACKENDS
@pytest.mark.parametrize(("first", "then"), [("order", "requisition"), ("requisition", "order")])
def test_a_line_is_bought_once_whatever_the_purchase_mode(
        tiny_erp: TrytonServer, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        docs, first: str, then: str) -> None:
    plan = many_lines_plan(erp_day, n_inside=0, n_purchases=2)
    one = plan.model_copy(update={"actions": plan.actions[:1]})
    with TrytonAdapter(tiny_erp.url, erp_net, purchase_mode=first) as adapter:
        assert [r.outcome for r in adapter.publish(one)] == ["created"]
    with TrytonAdapter(tiny_erp.url, erp_net, purchase_mode=then) as adapter:
        results = adapter.publish(plan)
        status = adapter.status(plan)
    assert [r.outcome for r in results] == ["exists", "created"]
    model = {"order": "purchase.purchase", "requisition": "purchase.requisition"}
    label = {"order": "purchase", "requisition": "purchase requisition"}
    assert results[0].message.startswith(f"published before as {label[first]} ")
    assert results[0].message.endswith(f"no {label[then]} made for it")
    assert [d.model for d in results[0].documents] == [model[first]]
    assert [r.outcome for r in status] == ["processed"] * 2
    keyed = docs.keyed(tiny_erp.url, [a.key for a in plan.actions])
    assert keyed == {plan.actions[0].key: [(model[first], "processing")],
                     plan.actions[1].key: [(model[then], "processing")]}


@BOTH_BACKENDS
def test_processing_in_the_erps_grace_period_is_left_to_the_erp_then_done_when_due(
        start_server, seeded_erp, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(QUEUE_WITHOUT_WORKER, "True")
    erp = start_server(seeded_erp)
    plan = many_lines_plan(erp_day, n_inside=0, n_purchases=1)
    with TrytonClient(erp.url, erp_env) as client:  # a user may reset it to draft for a day
        client.model("purchase.configuration").write(
            [1], {"purchase_process_after": dt.timedelta(days=1)})
    with TrytonAdapter(erp.url, erp_net) as adapter:
        published = adapter.publish(plan)
        assert [r.outcome for r in adapter.status(plan)] == ["confirmed"]
    assert published[0].outcome == "created"
    assert "is confirmed; the ERP processes it after its grace period" in published[0].message
    key = plan.actions[0].key
    assert whole_state(erp.url, erp_env, plan) == {
        key: ["purchase.purchase: confirmed with [0] moves per line"]}
    with TrytonClient(erp.url, erp_env) as client:  # no grace: due now, and no worker runs
        client.model("purchase.configuration").write([1], {"purchase_process_after": None})
    with TrytonAdapter(erp.url, erp_net) as adapter:
        assert [r.outcome for r in adapter.status(plan)] == ["stuck"]
        assert [r.outcome for r in adapter.publish(plan)] == ["completed"]
        assert [r.outcome for r in adapter.status(plan)] == ["processed"]
    assert whole_state(erp.url, erp_env, plan) == {
        key: ["purchase.purchase: processing with [1] moves per line"]}


@BOTH_BACKENDS
def test_erp_status_reports_a_stuck_sale_and_publish_unsticks_it(
        start_server, seeded_erp, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(QUEUE_WITHOUT_WORKER, "True")
    erp = start_server(seeded_erp)
    monkeypatch.delenv(QUEUE_WITHOUT_WORKER)
    plan = many_lines_plan(erp_day, n_inside=1, n_across=2)

    def crash(ev: str, n: int) -> None:
        if ev == "confirm:sale.sale":
            erp.kill()

    with pytest.raises(PublishInterrupted):
        TrytonAdapter(erp.url, erp_net, hook=crash).connect().publish(plan)
    erp.start()
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(by_alias=True))
    args = ["--erp", erp.url, "--network", str(tiny_dir)]
    stuck = CliRunner().invoke(main, ["erp", "status", str(path), *args])
    assert stuck.exit_code == 0, stuck.output
    assert f"{plan.actions[1].key} transfer: stuck" in stuck.output
    assert "status: 1 processed, 2 stuck" in stuck.output
    url, plan_id = approved_in_store(path, erp_net, tmp_path)
    published = CliRunner().invoke(main, ["plans", "publish", plan_id, "--store", url, *args])
    assert published.exit_code == 0, published.output
    assert "2 created, 1 exists" in published.output  # the sale processed, its purchase made
    after = CliRunner().invoke(main, ["erp", "status", str(path), *args])
    assert "status: 3 processed" in after.output


def _count_keyed(server: TrytonServer) -> int:
    """Internal shipments with a plan key, read from the server's database directly."""
    query = ("SELECT count(*) FROM stock_shipment_internal "
             "WHERE reference LIKE 'transfer-%'")
    if server.backend is SQLITE:
        con = sqlite3.connect(f"file:{server.db_file}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(query).fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            con.close()
    import psycopg

    with psycopg.connect(f"{server.backend.uri}{server.db_name}") as pg:
        return pg.execute(query).fetchone()[0]


@BOTH_BACKENDS
@pytest.mark.slow
def test_server_killed_during_a_cli_publish_then_published_again(
        tiny_erp: TrytonServer, erp_day: dt.date, erp_net: Network, erp_env: Credentials,
        docs, tiny_dir: Path, tmp_path: Path) -> None:
    plan = many_lines_plan(erp_day, n_inside=30, n_across=4, n_purchases=4)
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(by_alias=True))
    url, plan_id = approved_in_store(path, erp_net, tmp_path)
    cmd = [sys.executable, "-m", "medtwin", "plans", "publish", plan_id, "--store", url,
           "--erp", tiny_erp.url, "--network", str(tiny_dir), "--batch", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ.copy())
    deadline = time.monotonic() + 60
    while _count_keyed(tiny_erp) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed_with = _count_keyed(tiny_erp)
    os.kill(tiny_erp.process.pid, signal.SIGKILL)  # the server dies mid-publish
    tiny_erp.process.wait()
    out, err = proc.communicate(timeout=60)
    assert killed_with > 0
    assert proc.returncode == 5, ("the kill should land in the middle of the publish", out, err)
    assert "publish interrupted" in err and "run the same publish again" in err
    tiny_erp.start()
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert_each_key_once_and_published(docs, tiny_erp.url, plan)


def test_wrong_password_is_a_clear_error_and_writes_nothing(
        tiny_erp: TrytonServer, erp_day: dt.date, tiny_dir: Path, erp_env: Credentials, docs,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.json"
    path.write_text(many_lines_plan(erp_day, 3).model_dump_json(by_alias=True))
    before = docs.count(tiny_erp.url)
    monkeypatch.setenv("MEDTWIN_ERP_PASSWORD", "not-the-Pa55word")
    result = CliRunner().invoke(main, ["publish", str(path), "--erp", tiny_erp.url,
                                       "--network", str(tiny_dir), "--dry-run"])
    assert result.exit_code == 4
    assert "refused the login of 'admin'" in result.output
    assert "not-the-Pa55word" not in result.output
    assert erp_env.password not in result.output
    assert docs.count(tiny_erp.url) == before


def test_password_in_the_url_is_refused_and_not_echoed(tiny_dir: Path, tmp_path: Path,
                                                       tiny_net: Network,
                                                       erp_env: Credentials) -> None:
    erp_day = tiny_net.snapshot.as_of  # no ERP answers: any date
    path = tmp_path / "plan.json"
    path.write_text(many_lines_plan(erp_day, 1).model_dump_json(by_alias=True))
    result = CliRunner().invoke(main, ["publish", str(path), "--erp",
                                       "http://admin:Hunter2pw@127.0.0.1:9/medtwin",
                                       "--network", str(tiny_dir), "--dry-run"])
    assert result.exit_code == 2  # invalid input, refused before anything is contacted
    assert "must not carry a password" in result.output and "Hunter2pw" not in result.output


def test_unreachable_server(tiny_dir: Path, tmp_path: Path, tiny_net: Network,
                            erp_env: Credentials) -> None:
    erp_day = tiny_net.snapshot.as_of  # no ERP answers: any date
    path = tmp_path / "plan.json"
    path.write_text(many_lines_plan(erp_day, 1).model_dump_json(by_alias=True))
    url = f"http://127.0.0.1:{free_port()}/medtwin"
    for args in (["publish", str(path), "--dry-run"], ["erp", "pull", "--out", str(tmp_path / "o")],
                 ["trace", "INF2601"]):
        result = CliRunner().invoke(main, [*args, "--erp", url]
                                    + (["--network", str(tiny_dir)] if args[0] != "trace"
                                       else []))
        assert result.exit_code == 4, result.output
        assert f"ERP at {url} did not answer" in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_product_code_is_rejected_before_anything_is_sent(
        tiny_erp: TrytonServer, erp_day: dt.date, tiny_dir: Path, erp_env: Credentials, docs,
        tmp_path: Path) -> None:
    with TrytonClient(tiny_erp.url, erp_env) as client:  # the ERP renamed a product
        products = client.model("product.product").search([("code", "=", "INF-SET-STD")])
        template = client.model("product.product").read(products, ["template"])[0]["template"]
        client.model("product.template").write([template], {"code": "INF-SET-OLD"})
    path = tmp_path / "plan.json"
    plan = many_lines_plan(erp_day, 2, n_across=1, n_purchases=1)
    path.write_text(plan.model_dump_json(by_alias=True))
    before = docs.count(tiny_erp.url)
    result = CliRunner().invoke(main, ["publish", str(path), "--erp", tiny_erp.url,
                                       "--network", str(tiny_dir), "--dry-run"])
    assert result.exit_code == 2, result.output
    assert (f"{path}: actions[0].item: item 'INF-SET-STD' has no product with code "
            f"'INF-SET-STD' in the ERP at {tiny_erp.url}") in result.output
    assert "actions[3].item" in result.output  # the purchase line too, in the same pass
    assert "nothing was written" in result.output
    assert docs.count(tiny_erp.url) == before


@pytest.mark.parametrize(("edit", "message"), [
    ({"quantity": 5000}, "more than the 900 available on {day}"),
    ({"to": "WH-GZ"}, "not registered in region 'south'"),
    ({"item": "IVD-TROP-100", "lot": "TROP2610A", "quantity": 1},
     "cold-chain item 'IVD-TROP-100' on non-cold lane WH-SH>WH-HZ:road"),
    ({"to": "WH-NOPE"}, "unknown warehouse 'WH-NOPE'"),
])
def test_a_plan_that_fails_validation_sends_nothing(
        tiny_erp: TrytonServer, erp_day: dt.date, tiny_dir: Path, erp_env: Credentials, docs,
        tmp_path: Path, edit: dict, message: str) -> None:
    plan = many_lines_plan(erp_day, 3, n_purchases=1)
    bad = plan.actions[1].model_dump(by_alias=True) | edit
    plan = plan.model_copy(update={"actions": [plan.actions[0], TransferAction(**bad),
                                               *plan.actions[2:]]})
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(by_alias=True))
    before = docs.count(tiny_erp.url)
    result = CliRunner().invoke(main, ["publish", str(path), "--erp", tiny_erp.url,
                                       "--network", str(tiny_dir), "--dry-run"])
    assert result.exit_code == 2, result.output
    assert f"{path}: actions[1]" in result.output
    assert message.format(day=erp_day) in result.output
    assert docs.count(tiny_erp.url) == before


def test_refused_lines_are_reported_and_the_rest_published(
        tiny_erp: TrytonServer, erp_net: Network, erp_day: dt.date, erp_env: Credentials,
        docs) -> None:
    # the ERP cancels one document: publishing again reports it and does not recreate it
    plan = many_lines_plan(erp_day, 3)
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        adapter.publish(plan)
    with TrytonClient(tiny_erp.url, erp_env) as client:
        Ship = client.model("stock.shipment.internal")
        ids = Ship.search([("reference", "=", plan.actions[0].key)])
        Ship.button("cancel", ids)
    with TrytonAdapter(tiny_erp.url, erp_net) as adapter:
        results = adapter.publish(plan)
    assert [r.outcome for r in results] == ["exists"] * 3
    assert "is cancelled in the ERP; not recreated" in results[0].message
    assert docs.keyed(tiny_erp.url, [plan.actions[0].key])[plan.actions[0].key] == [
        ("stock.shipment.internal", "cancelled")]
