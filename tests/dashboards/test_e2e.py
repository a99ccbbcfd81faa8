"""End to end in a real browser: the dashboard server on 127.0.0.1 driven by Debian's
Chromium through Playwright. Log in, open each page, run a small what-if, approve a plan
as a manager, check that a planner cannot. Screenshots go to ``test-artifacts/e2e``."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.app import serve
from dashboards.data import DataStore
from erp_adapter.tryton.server import free_port
from medtwin.store import Status
from scenarios.execution import run
from scenarios.experiment import Experiment
from scenarios.library import Library
from scenarios.results import write
from solvers.registry import shipped_policies
from tests.medtwin.store.samples import add_plan, evidence, new_store
from twin.network_files import load_network
from twin.sim import simulate

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "data" / "tiny"
ARTIFACTS = REPO / "test-artifacts" / "e2e"
PAGES = ("Network", "Compare", "What-if", "Plans", "Recall", "Inventory")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DataStore]]:
    """A results folder (an experiment, a simulated run), a store with a planner, a manager
    and a stress-tested plan, and the dashboard serving them."""
    folder = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{folder / 'store.db'}"
    store = new_store(url, passwords={"mia": "mia-secret", "pat": "pat-secret"})
    add_plan(store, "tiny-1", evidence(0.995, 100.0))
    net = load_network(TINY)
    tiny_library = folder / "lib"
    tiny_library.mkdir()
    (tiny_library / "baseline.yaml").write_text("description: as configured\n")
    exp = Experiment(net, ("heuristic", "fixed_ss"),
                     tuple(Library(tiny_library).resolve_all("all", net)), days=20)
    write(run(exp, range(3)), folder / "results" / "compare.nc")
    simulate(net, days=20, seed=1, policy="heuristic", policies=shipped_policies()).write(
        folder / "results" / "run.nc")
    data = DataStore(results_dir=str(folder / "results"), store_url=url,
                     network_name=str(TINY))
    port = free_port()
    server = serve(data, port, threaded=True)
    try:
        yield f"http://127.0.0.1:{port}", data
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def _login(browser: object, base: str, user: str, password: str) -> object:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)
    page.goto(base)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form.login-form button")
    page.wait_for_selector(f"text=signed in as {user}")
    return page


def _tab(page: object, name: str) -> None:
    page.locator(".bk-tab").filter(has_text=name).first.click()  # type: ignore[attr-defined]


def test_wrong_password_is_refused(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    page = browser.new_page()
    page.goto(base)
    page.fill("input[name=username]", "mia")
    page.fill("input[name=password]", "wrong")
    page.click("form.login-form button")
    page.wait_for_load_state()
    assert page.locator("text=signed in as").count() == 0
    page.screenshot(path=str(ARTIFACTS / "login-refused.png"))
    page.close()


def test_manager_opens_every_page_runs_a_whatif_and_approves(site, browser  # type: ignore[no-untyped-def]
                                                             ) -> None:
    base, data = site
    page = _login(browser, base, "mia", "mia-secret")
    expected = {"Network": "Inventory health", "Compare": "Paired differences",
                "What-if": "Run what-if", "Plans": "Plan review", "Recall": "Where it is",
                "Inventory": "Inventory"}
    for name in PAGES:
        _tab(page, name)
        page.wait_for_selector(f"text={expected[name]}")
        page.screenshot(path=str(ARTIFACTS / f"manager-{name.lower()}.png"), full_page=True)

    _tab(page, "What-if")
    page.click("button:has-text('Run what-if')")
    page.wait_for_selector(".whatif-message >> text=Wrote whatif-tiny-1.nc", timeout=120_000)
    page.wait_for_selector(".whatif-result")
    page.screenshot(path=str(ARTIFACTS / "manager-whatif-done.png"), full_page=True)
    assert (Path(data.results_dir) / "whatif-tiny-1.nc").exists()

    _tab(page, "Plans")
    page.wait_for_selector("button:has-text('Approve')")
    page.get_by_placeholder("why").fill("fill holds in every scenario")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=approved by mia")
    page.screenshot(path=str(ARTIFACTS / "manager-approved.png"), full_page=True)
    assert data.plans().info("tiny-1").status == Status.APPROVED
    page.close()


def test_planner_cannot_approve(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    page = _login(browser, base, "pat", "pat-secret")
    _tab(page, "Plans")
    page.wait_for_selector("text=only managers may approve")
    assert page.locator("button:has-text('Approve')").count() == 0
    assert page.locator("button:has-text('Reject')").count() == 0
    page.screenshot(path=str(ARTIFACTS / "planner-plans.png"), full_page=True)
    page.close()
