"""The seeding loader and the lot trace from ERP moves, on a real Tryton."""

import datetime as dt
import os
import signal
import socket
import stat
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.credentials import Credentials, load_credentials
from erp_adapter.errors import ErpError
from erp_adapter.registry import open_adapter
from erp_adapter.trace import trace_lot
from erp_adapter.tryton.client import TrytonClient, wait_until_listening
from erp_adapter.tryton.mapping import load_sites
from erp_adapter.tryton.seed import sample_history, seed_network
from erp_adapter.tryton.server import TrytonServer, free_port
from medtwin.cli import main
from twin.domain import Network
from twin.network_files import load_network

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too


def test_seed_cli_fills_an_empty_database(start_server: Callable, tryton_template,
                                         erp_env: Credentials, tiny_dir) -> None:
    server: TrytonServer = start_server(tryton_template)
    result = CliRunner().invoke(main, ["erp", "seed", str(tiny_dir), "--erp", server.url,
                                       "--history-days", "0"])  # history: see seeded_tiny
    assert result.exit_code == 0, result.output
    assert "seeded 2 companies, 3 warehouses, 3 products" in result.output
    with TrytonClient(server.url, erp_env) as client:
        sites = load_sites(client)
        today = client.today()
    # the snapshot goes on the ERP's today, whatever date the network file has
    assert f"snapshot as of {today}; no demand history" in result.output
    assert set(sites.org_company) == {"GRP", "SUB-S"}
    assert {"WH-SH", "WH-HZ", "WH-GZ"} <= set(sites.warehouse)
    assert sites.warehouse_org["WH-GZ"] == "SUB-S"  # ownership recorded by the address
    assert set(sites.quarantine) == {"WH-SH", "WH-HZ", "WH-GZ"}
    assert erp_env.password not in result.output


def test_seed_cli_pins_the_snapshot_date_and_prints_the_history_window(
        start_server: Callable, tryton_template, erp_env: Credentials, tiny_dir) -> None:
    server: TrytonServer = start_server(tryton_template)
    with TrytonClient(server.url, erp_env) as client:
        as_of = client.today() - dt.timedelta(days=10)
    result = CliRunner().invoke(main, ["erp", "seed", str(tiny_dir), "--erp", server.url,
                                       "--history-days", "2", "--as-of", as_of.isoformat()])
    assert result.exit_code == 0, result.output
    first, last = as_of - dt.timedelta(days=2), as_of - dt.timedelta(days=1)
    assert f"snapshot as of {as_of}; demand history {first} … {last} (2 days)" in result.output
    assert f"--since {first} --until {last}" in result.output  # the replay it suggests
    with open_adapter(server.url, load_network(tiny_dir), credentials=erp_env) as adapter:
        days = {r.date for r in adapter.pull_history(first - dt.timedelta(days=5), as_of)}
    assert days and days <= {first, last}


def test_seeding_twice_is_refused(tiny_erp: TrytonServer, erp_net: Network,
                                  erp_env: Credentials) -> None:
    with TrytonClient(tiny_erp.url, erp_env) as client, pytest.raises(
            ErpError, match="already holds parties with org codes"):
        seed_network(client, erp_net)


def test_sampled_history_is_reproducible_and_served_fefo(tiny_net: Network) -> None:
    a, b = sample_history(tiny_net, 10, seed=3), sample_history(tiny_net, 10, seed=3)
    assert a == b and a != sample_history(tiny_net, 10, seed=4)
    serial = [i for i in a if i.item == "STENT-DES-30"]
    assert all(i.quantity == 1 and i.lot.startswith("SN-H") for i in serial)
    reference = load_network("reference")
    issues = sample_history(reference, 2)
    assert issues and all(i.expiry > i.day for i in issues)


def test_trace_follows_a_lot_through_warehouses_transit_and_departments(
        tiny_erp: TrytonServer, erp_net: Network, erp_env: Credentials,
        history_days: int) -> None:
    with TrytonClient(tiny_erp.url, erp_env) as client:
        trace = trace_lot(client, load_sites(client), "TROP2610A")
    places = trace.places
    assert places[0] == "inventory adjustment"
    assert {"WH-SH storage", "WH-GZ storage", "sold to org SUB-S"} <= set(places)
    seeded: dict[tuple[str, str], int] = defaultdict(int)
    for i in sample_history(erp_net, history_days):
        if i.lot == "TROP2610A":
            seeded[(i.hospital, i.department)] += i.quantity
    assert trace.departments == dict(seeded) and seeded
    # the purchase of the receiving org is still to come: a planned move, not done
    planned = [s for s in trace.steps if s.state != "done"]
    assert planned == [] or all(s.date is not None for s in planned)
    dates = [s.date for s in trace.steps if s.state == "done"]
    assert dates == sorted(dates)
    opening = Counter()
    for s in trace.steps:
        if s.source == "inventory adjustment":
            opening[s.target] += s.quantity
    assert opening["WH-SH storage"] >= 30 and opening["WH-GZ storage"] >= 18
    # where the units are now is the ERP's snapshot of the lot: per warehouse zone, and in
    # transit (to the sister org for a sale between orgs)
    snap = erp_net.snapshot
    zone = {"available": "storage", "quarantine": "quarantine", "reserved": "reserved"}
    expected: dict[str, int] = defaultdict(int)
    for lp in snap.lots:
        if lp.lot == "TROP2610A":
            expected[f"{lp.warehouse} {zone[lp.status]}"] += lp.quantity
    for t in snap.in_transit:
        if t.lot == "TROP2610A":
            target_org = erp_net.warehouse_by_id[t.target].org
            across = target_org != erp_net.warehouse_by_id[t.source].org
            expected[f"in transit to org {target_org}" if across else "in transit"] += \
                t.quantity
    for (hospital, department), qty in seeded.items():
        expected[f"hospital {hospital} department {department}"] += qty
    assert trace.now == dict(expected)
    assert any(p.startswith("in transit to org") for p in trace.now)  # it crosses orgs
    # a recall notice after the last move: every unit not in quarantine is out, none back
    later = max(s.date for s in trace.steps if s.date) + dt.timedelta(days=1)
    response = trace.recall_response(later)
    assert response.out == {p: q for p, q in trace.now.items() if not p.endswith("quarantine")}
    assert response.recovered == [] and response.still_out == response.out
    assert response.travelling == sum(q for p, q in trace.now.items()
                                      if p.startswith("in transit"))


def test_trace_cli(tiny_erp: TrytonServer, erp_env: Credentials) -> None:
    result = CliRunner().invoke(main, ["trace", "TROP2610A", "--erp", tiny_erp.url])
    assert result.exit_code == 0, result.output
    assert "lot TROP2610A:" in result.output and "places: inventory adjustment →" in result.output
    assert "department H-ZS/LAB:" in result.output
    assert "\nnow: WH-SH storage " in result.output and "located in " in result.output
    unknown = CliRunner().invoke(main, ["trace", "NO-SUCH-LOT", "--erp", tiny_erp.url])
    assert unknown.exit_code == 2 and "lot 'NO-SUCH-LOT' is not in the ERP" in unknown.output
    wrong_item = CliRunner().invoke(main, ["trace", "TROP2610A", "--item", "STENT-DES-30",
                                           "--erp", tiny_erp.url])
    assert wrong_item.exit_code == 2



def test_serve_runs_a_demo_server_with_a_private_secrets_file(
        tmp_path: Path, template_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "medtwin", "erp", "serve", "--dir", str(tmp_path / "demo"),
         "--port", str(port), "--cache", str(template_cache)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_listening("127.0.0.1", port, timeout=120)
        secrets = tmp_path / "demo" / "secrets.yaml"
        assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
        for name in ("MEDTWIN_ERP_USER", "MEDTWIN_ERP_PASSWORD"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("MEDTWIN_ERP_SECRETS", str(secrets))
        with TrytonClient(f"http://127.0.0.1:{port}/medtwin", load_credentials()) as client:
            assert client.user_id
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert f"Tryton serving http://127.0.0.1:{port}/medtwin" in out
    assert "password" not in out.lower().replace("medtwin_erp_password", "")
    with pytest.raises(OSError):  # trytond went down with it
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


def test_serve_seeds_a_network_and_exits_4_when_its_server_dies(
        tmp_path: Path, template_cache: Path, tiny_net: Network,
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    tiny = Path(__file__).resolve().parents[1] / "data" / "tiny"
    proc = subprocess.Popen(
        [sys.executable, "-m", "medtwin", "erp", "serve", "--dir", str(tmp_path / "demo"),
         "--port", str(port), "--cache", str(template_cache), "--network", str(tiny),
         "--history-days", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_listening("127.0.0.1", port, timeout=300)
        monkeypatch.setenv("MEDTWIN_ERP_SECRETS", str(tmp_path / "demo" / "secrets.yaml"))
        with TrytonClient(f"http://127.0.0.1:{port}/medtwin", load_credentials()) as client:
            orgs = client.model("party.party").search_read(
                [("code", "in", [o.id for o in tiny_net.orgs])], ["code"])
            today = client.today()
        assert {r["code"] for r in orgs} == {o.id for o in tiny_net.orgs}
        (trytond,) = _children(proc.pid)
        os.kill(trytond, signal.SIGKILL)  # as a crash would
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    first, last = today - dt.timedelta(days=3), today - dt.timedelta(days=1)
    assert f"snapshot as of {today}; demand history {first} … {last} (3 days)" in out
    assert proc.returncode == 4
    assert "the Tryton server stopped by itself" in out
