"""End to end in a real browser: the dashboard server on 127.0.0.1 driven by Debian's
Chromium through Playwright. Log in, open each page, run a small what-if, approve a plan
as a manager (after confirming), check that a planner or viewer cannot, that the store's
refusals are shown, that logging out ends the login in every tab and that an invalid
scenario writes nothing; that another session stays quick while what-ifs run, and that
Compare opens on a verdict. Screenshots go to ``test-artifacts/e2e``."""

import json
import re
import shutil
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.app import serve
from dashboards.auth import INLINE_HEADER
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
PAGES = ("Network", "Compare", "What-if", "Plans", "Recall", "Inventory", "Data quality")
pytestmark = [pytest.mark.slow,  # a browser and a server per module: CI's slow stage
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DataStore]]:
    """A results folder (an experiment, a simulated run), a store with a manager, a planner
    and a viewer, stress-tested plans tiny-1…5 (one per test that decides) and a rejected
    tiny-0, and the dashboard serving them."""
    folder = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{folder / 'store.db'}"
    store = new_store(url, passwords={"mia": "mia-secret", "pat": "pat-secret",
                                      "vic": "vic-secret"})
    for n in range(6):
        add_plan(store, f"tiny-{n}", evidence(0.995, 100.0))
    store.reject("tiny-0", "mia", "wrong horizon")
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
        data.runner().close()


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
    """A new page (in a new browser context, or in ``browser`` if it is a context) signed in
    as ``user``."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(base)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form.login-form button")
    page.wait_for_selector(f"text=signed in as {user}")
    return page


def _load_time(page: object, base: str) -> float:
    """Seconds from asking for the dashboard until the signed-in page shows."""
    start = time.monotonic()
    page.goto(base)  # type: ignore[attr-defined]
    page.wait_for_selector("text=signed in as")  # type: ignore[attr-defined]
    return time.monotonic() - start


def _tab(page: object, name: str) -> None:
    page.locator(".bk-tab").filter(has_text=name).first.click()  # type: ignore[attr-defined]


def _plan(page: object, label: str) -> None:
    """Open the Plans page on the plan labelled ``label`` (id and status)."""
    _tab(page, "Plans")
    page.wait_for_selector("text=Plan review")  # type: ignore[attr-defined]
    page.locator("select").first.select_option(label=label)  # type: ignore[attr-defined]
    page.wait_for_selector(f".plan-status >> text={label.split()[0]}")  # type: ignore[attr-defined]


def _tick_first_line(page: object) -> None:
    page.locator(".plan-lines .tabulator-row input[type=checkbox]").first.click()  # type: ignore[attr-defined]


def test_wrong_password_is_refused_on_the_login_page(site, browser  # type: ignore[no-untyped-def]
                                                     ) -> None:
    base, _ = site
    page = browser.new_page()
    page.goto(base)
    page.wait_for_function("window.Bokeh && window.Bokeh.Panel")   # signs in in place
    page.fill("input[name=username]", "mia")
    page.fill("input[name=password]", "wrong")
    page.click("form.login-form button")
    page.wait_for_selector(".errormessage >> text=Invalid username or password!")
    assert page.locator("text=signed in as").count() == 0
    assert page.url.rstrip("/").endswith("/login") or "/login?" in page.url
    page.screenshot(path=str(ARTIFACTS / "login-refused.png"))
    page.close()


def test_a_failed_sign_in_that_is_not_a_refusal_is_said_on_the_page(  # type: ignore[no-untyped-def]
        site, browser) -> None:
    """An answer that is not the handler's JSON (a proxy's or server's error page) is named
    with its status, and the form can be sent again."""
    base, _ = site
    page = browser.new_page()
    page.goto(base)
    page.wait_for_function("window.Bokeh && window.Bokeh.Panel")
    page.route("**/login", lambda route: route.fulfill(status=502, body="<html>bad gateway")
               if route.request.method == "POST" else route.continue_())
    page.fill("input[name=username]", "mia")
    page.fill("input[name=password]", "mia-secret")
    page.click("form.login-form button")
    page.wait_for_selector(".errormessage >> text=Sign-in failed (HTTP 502).")
    assert page.locator("form.login-form button").is_enabled()
    page.close()


def test_login_answers_its_page_in_json_and_a_plain_form_with_a_redirect(  # type: ignore[no-untyped-def]
        site) -> None:
    """The login page's own sign-in gets JSON (200 and the user, 401 and why); a plain
    form post (no scripts) is redirected to the app with the session cookie, as before."""
    base, _ = site

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def post(password: str, inline: bool) -> tuple[int, dict[str, str], bytes]:
        data = urllib.parse.urlencode({"username": "pat", "password": password}).encode()
        request = urllib.request.Request(f"{base}/login", data=data,
                                         headers={INLINE_HEADER: "1"} if inline else {})
        try:
            with opener.open(request) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    status, headers, body = post("pat-secret", inline=True)
    assert status == 200 and json.loads(body) == {"user": "pat"}
    assert "medtwin_session=" in headers["Set-Cookie"]
    status, headers, body = post("wrong", inline=True)
    assert status == 401 and json.loads(body) == {"error": "Invalid username or password!"}
    assert "Set-Cookie" not in headers
    status, headers, _ = post("pat-secret", inline=False)
    assert status == 302 and headers["Location"] == "/"
    assert "medtwin_session=" in headers["Set-Cookie"]
    status, headers, _ = post("wrong", inline=False)
    assert status == 302 and "error=" in headers["Location"]


def test_login_lands_in_place_with_the_scripts_it_loaded_and_nothing_from_elsewhere(  # type: ignore[no-untyped-def]
        site, browser) -> None:
    """The login page loads the app's scripts while the user types and, signed in, shows
    the app in place: each script is fetched and run once, the address becomes the app's,
    a reload shows the app on its own page, and no page (the logout page included) asks
    for anything but this server."""
    base, _ = site
    page = browser.new_page()
    asked: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(base)
    page.wait_for_function("window.Bokeh && window.Bokeh.Panel")
    page.wait_for_load_state("networkidle")                    # its prefetches too
    assert page.locator("link[rel=prefetch]").count() > 0
    loaded = page.eval_on_selector_all("script[src]", "ss => ss.map(s => s.src)")
    page.fill("input[name=username]", "vic")
    page.fill("input[name=password]", "vic-secret")
    page.click("form.login-form button")
    page.wait_for_selector("text=signed in as vic")
    page.wait_for_selector("text=Inventory health")
    assert page.url == f"{base}/" and page.title() == "medtwin"
    assert loaded and all(asked.count(url) == 1 for url in loaded)
    assert [u for u in page.eval_on_selector_all("script[src]", "ss => ss.map(s => s.src)")
            if not u.startswith(f"{base}/autoload.js")] == loaded
    page.screenshot(path=str(ARTIFACTS / "login-landed.png"))
    page.reload()
    page.wait_for_selector("text=signed in as vic")
    page.wait_for_selector("text=Inventory health")
    page.goto(f"{base}/logout")
    page.wait_for_load_state()
    assert [url for url in asked if not url.startswith((base, "data:", f"blob:{base}"))] == []
    assert failed == []
    page.close()


def test_manager_opens_every_page_runs_a_whatif_and_approves(site, browser  # type: ignore[no-untyped-def]
                                                             ) -> None:
    base, data = site
    page = _login(browser, base, "mia", "mia-secret")
    expected = {"Network": "Inventory health", "Compare": "Paired differences",
                "What-if": "Run what-if", "Plans": "Plan review", "Recall": "Where it is",
                "Inventory": "Inventory", "Data quality": "records no data-quality check"}
    for name in PAGES:
        _tab(page, name)
        page.wait_for_selector(f"text={expected[name]}")
        page.screenshot(path=str(ARTIFACTS / f"manager-{name.lower()}.png"), full_page=True)

    _tab(page, "What-if")
    page.click("button:has-text('Run what-if')")
    page.wait_for_selector(".whatif-message >> text=Wrote whatif-tiny-1.nc", timeout=120_000)
    page.wait_for_selector(".whatif-result >> text=whatif-tiny-1.nc")
    assert page.locator(".whatif-message a").count() == 0             # a name, not a link
    page.screenshot(path=str(ARTIFACTS / "manager-whatif-done.png"), full_page=True)
    assert (Path(data.results_dir) / "whatif-tiny-1.nc").exists()

    _plan(page, "tiny-1 (stress_tested)")
    page.get_by_placeholder("why").fill("fill holds in every scenario")
    page.click("button:has-text('Approve')")
    page.click(".confirm-approve button")
    page.wait_for_selector("text=approved by mia")
    page.screenshot(path=str(ARTIFACTS / "manager-approved.png"), full_page=True)
    assert data.plans().info("tiny-1").status == Status.APPROVED
    page.close()


def test_approve_all_asks_first_and_cancel_approves_nothing(site, browser  # type: ignore[no-untyped-def]
                                                            ) -> None:
    base, data = site
    page = _login(browser, base, "mia", "mia-secret")
    _plan(page, "tiny-2 (stress_tested)")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=Approve all 2 lines (1 reorder point, 1 transfer) of plan "
                           "tiny-2?")
    page.screenshot(path=str(ARTIFACTS / "approve-all-confirm.png"), full_page=True)
    assert data.plans().info("tiny-2").approved_lines == 0
    page.click(".cancel-approve button")
    page.wait_for_selector(".approve-all-confirm", state="detached")
    page.screenshot(path=str(ARTIFACTS / "approve-all-cancelled.png"), full_page=True)
    assert data.plans().info("tiny-2").approved_lines == 0
    # a line ticked in a filtered table is the line approved
    page.locator(".plan-lines .tabulator-col[tabulator-field=item] input"
                 ).press_sequentially("INF")
    page.wait_for_selector(".plan-lines .tabulator-row >> text=t-1", state="detached")
    assert page.locator(".plan-lines .tabulator-row").count() == 1
    _tick_first_line(page)
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=1 line (1 reorder point) approved by mia")
    page.screenshot(path=str(ARTIFACTS / "approve-filtered-line.png"), full_page=True)
    assert data.plans().approved_keys("tiny-2") == {"r-1"}
    page.close()


def test_refused_transitions_show_the_stores_reason(site, browser  # type: ignore[no-untyped-def]
                                                     ) -> None:
    base, data = site
    page = _login(browser, base, "mia", "mia-secret")
    _plan(page, "tiny-3 (stress_tested)")
    _tick_first_line(page)
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=1 line (1 transfer) approved by mia")
    page.click("button:has-text('Reject')")
    page.wait_for_selector(".plan-refused >> text=Refused: plan tiny-3 is approved; it cannot "
                           "become rejected")
    page.screenshot(path=str(ARTIFACTS / "refused-reject-after-approve.png"), full_page=True)
    assert data.plans().info("tiny-3").status == Status.APPROVED

    _plan(page, "tiny-0 (rejected)")
    page.wait_for_selector("text=Nothing will be published")
    assert page.locator("text=What will be published").count() == 0
    page.click("button:has-text('Approve')")
    page.click(".confirm-approve button")
    page.wait_for_selector(".plan-refused >> text=Refused: plan tiny-0 is rejected; it cannot "
                           "become approved")
    page.screenshot(path=str(ARTIFACTS / "refused-approve-of-rejected.png"), full_page=True)
    assert data.plans().info("tiny-0").approved_lines == 0
    page.close()


def test_logout_in_one_tab_ends_the_login_in_the_other(site, browser  # type: ignore[no-untyped-def]
                                                       ) -> None:
    base, data = site
    context = browser.new_context()
    first = _login(context, base, "mia", "mia-secret")
    second = context.new_page()
    second.set_viewport_size({"width": 1400, "height": 1000})
    second.set_default_timeout(60_000)
    second.goto(base)
    second.wait_for_selector("text=signed in as mia")
    _plan(second, "tiny-4 (stress_tested)")
    first.goto(f"{base}/logout")
    first.screenshot(path=str(ARTIFACTS / "logout-tab1.png"), full_page=True)
    _tick_first_line(second)
    second.click("button:has-text('Approve')")
    second.wait_for_selector(".plan-refused >> text=mia has logged out")
    second.screenshot(path=str(ARTIFACTS / "logout-tab2-refused.png"), full_page=True)
    assert data.plans().info("tiny-4").approved_lines == 0
    second.goto(base)
    second.wait_for_selector("input[name=username]")          # back at the login page
    context.close()


def test_viewer_can_neither_approve_nor_run_a_whatif(site, browser  # type: ignore[no-untyped-def]
                                                    ) -> None:
    base, data = site
    before = sorted(Path(data.results_dir).rglob("*"))
    page = _login(browser, base, "vic", "vic-secret")
    _plan(page, "tiny-5 (stress_tested)")
    page.wait_for_selector("text=only managers may approve")
    assert page.locator("button:has-text('Approve')").count() == 0
    assert page.locator("button:has-text('Reject')").count() == 0
    page.screenshot(path=str(ARTIFACTS / "viewer-plans.png"), full_page=True)
    _tab(page, "What-if")
    page.wait_for_selector("text=may not run what-ifs")
    run = page.locator("button:has-text('Run what-if')")
    assert run.is_disabled()
    page.screenshot(path=str(ARTIFACTS / "viewer-whatif.png"), full_page=True)
    # enabled in the browser behind the page's back, Run is still refused by the server
    page.evaluate("""() => { for (const m of Bokeh.documents[0].all_models)
                             if ((m.css_classes || []).includes('run-whatif'))
                               m.disabled = false; }""")
    run.click()
    page.wait_for_selector(".whatif-message >> text=Refused: user 'vic' is a viewer")
    page.screenshot(path=str(ARTIFACTS / "viewer-whatif-refused.png"), full_page=True)
    assert sorted(Path(data.results_dir).rglob("*")) == before
    assert data.plans().info("tiny-5").approved_lines == 0
    page.close()


def test_an_invalid_scenario_writes_nothing(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, data = site
    before = sorted(Path(data.results_dir).rglob("*"))
    page = _login(browser, base, "pat", "pat-secret")
    _tab(page, "What-if")
    page.fill(".scenario-editor textarea", "events:\n  - {kind: warehouse_outage, "
              "warehouse: WH-NOPE, start: 0, end: 3}\n")
    page.get_by_label("Edited scenario name").fill("bad")
    page.click("button:has-text('Run what-if')")
    page.wait_for_selector(".whatif-message >> text=Scenario not valid")
    page.wait_for_selector("text=unknown warehouse 'WH-NOPE'")
    page.screenshot(path=str(ARTIFACTS / "invalid-scenario.png"), full_page=True)
    assert sorted(Path(data.results_dir).rglob("*")) == before
    assert not (Path(data.results_dir) / "scenarios").exists()
    page.close()


def test_planner_cannot_approve_and_plans_opens_on_one_awaiting_a_decision(  # type: ignore[no-untyped-def]
        site, browser) -> None:
    base, _ = site
    page = _login(browser, base, "pat", "pat-secret")
    _tab(page, "Plans")
    page.wait_for_selector(".plan-status >> text=status stress_tested")   # not tiny-0
    assert "rejected" not in page.locator("select").first.input_value()
    page.wait_for_selector("text=Stress evidence (per scenario)")
    page.wait_for_selector(".plan-summary >> text=total")
    assert page.locator(".plan-lines .tabulator-row").first.inner_text().split()[:3] == \
        ["t-1", "transfer", "high"]                          # most urgent first
    page.wait_for_selector("text=only managers may approve")
    assert page.locator("button:has-text('Approve')").count() == 0
    assert page.locator("button:has-text('Reject')").count() == 0
    page.screenshot(path=str(ARTIFACTS / "planner-plans.png"), full_page=True)
    page.close()


PLOT_FACTS = """() => {
  const plots = [...Bokeh.documents[0].all_models].filter(
    m => Array.isArray(m.center) && Array.isArray(m.right));
  const texts = [], legends = [];
  for (const m of Bokeh.documents[0].all_models) {
    if (m.data && typeof m.data === 'object') {
      const data = m.data instanceof Map ? Object.fromEntries(m.data) : m.data;
      for (const col of ['name', 'region', 'text'])
        if (data[col]) texts.push(...Array.from(data[col]).map(String));
    }
  }
  for (const p of plots) for (const side of ['center', 'right'])
    for (const r of p[side]) if (Array.isArray(r.items))
      legends.push({side, labels: r.items.map(i => i.label && i.label.value)});
  return {texts, legends};
}"""
"""Text shown by the plots' glyphs (site names, region names, flow labels) and where each
legend sits (``right``: beside the plot, ``center``: over it) with its entries."""


def test_network_page_labels_sites_keeps_the_legend_outside_and_draws_flows(  # type: ignore[no-untyped-def]
        site, browser) -> None:
    base, data = site
    page = _login(browser, base, "pat", "pat-secret")
    _tab(page, "Network")
    page.wait_for_selector(".health >> text=total")
    page.wait_for_selector("text=Highlighted: days of supply below")
    facts = page.evaluate(PLOT_FACTS)
    net = data.network()
    shown = set(facts["texts"])
    assert {w.name or w.id for w in net.warehouses} <= shown        # sites by name
    assert {h.name for h in net.hospitals} <= shown
    assert {r.name for r in net.regions} <= shown                   # the outline's regions
    assert "5" in shown                                             # plan tiny-0's transfer
    [legend] = facts["legends"]
    assert legend["side"] == "right"                                # beside, not over, the map
    assert "transfers (plan)" in legend["labels"] and "road lane, cold chain" in legend["labels"]
    assert not any(label in ("True", "False") for label in legend["labels"])
    page.screenshot(path=str(ARTIFACTS / "network-map-flows.png"), full_page=True)
    page.close()


def test_recall_impact_shows_replications_and_intervals(site, browser  # type: ignore[no-untyped-def]
                                                        ) -> None:
    base, _ = site
    page = _login(browser, base, "pat", "pat-secret")
    _tab(page, "Recall")
    picker = page.locator(".lot-picker input")
    picker.fill("")
    picker.press_sequentially("TROP")                               # search the lots
    page.locator(".bk-menu >> text=TROP2610A").first.click()
    page.wait_for_selector(".lot-where >> text=IVD-TROP-100")
    replications = page.get_by_label("Replications")
    replications.fill("3")
    replications.press("Enter")
    page.click("button:has-text('Run recall impact')")
    page.wait_for_selector(".recall-reach >> text=3 replications, seeds 0–2", timeout=120_000)
    page.wait_for_selector(".recall-reach >> text=units to recover")
    page.wait_for_selector(".recall-reach >> text=back within 1 day")
    page.wait_for_selector(".recall-response >> text=days to locate every recalled unit")
    page.wait_for_selector(".recall-impact >> text=95% CI")
    page.wait_for_selector(".recall-impact >> text=fill rate of the recalled item")
    assert page.locator(".recall-seeds .tabulator-row").count() == 3
    page.wait_for_selector(".recall-why >> text=same seed")
    page.screenshot(path=str(ARTIFACTS / "recall-impact-replications.png"), full_page=True)
    page.close()


def test_another_session_stays_quick_while_whatifs_run(site, browser  # type: ignore[no-untyped-def]
                                                      ) -> None:
    """Two what-ifs of ~20 one-year runs each start at once in pat's session, each with
    its own progress row; meanwhile mia's page loads within 2 s (median of three loads)
    and her Compare page shows its verdict (times in ``responsiveness.json``); both runs
    then write their own file."""
    base, data = site
    other = _login(browser, base, "mia", "mia-secret")
    page = _login(browser, base, "pat", "pat-secret")
    _tab(page, "What-if")
    page.wait_for_selector("text=Run what-if")
    for label, value in (("Replications", "20"), ("Days", "365")):
        page.get_by_label(label).fill(value)
        page.get_by_label(label).press("Enter")
    before = set(Path(data.results_dir).glob("whatif-*.nc"))
    idle = statistics.median(_load_time(other, base) for _ in range(3))
    page.click("button:has-text('Run what-if')")
    page.wait_for_selector(".whatif-message >> text=Started")
    page.click("button:has-text('Run what-if')")
    page.locator(".whatif-run").nth(1).wait_for()
    page.wait_for_selector(".whatif-run >> text=runs", timeout=30_000)   # counting
    page.screenshot(path=str(ARTIFACTS / "whatif-two-running.png"), full_page=True)
    rows = page.locator(".whatif-run")
    assert rows.count() == 2
    names = {rows.nth(k).locator("code").inner_text() for k in range(2)}
    assert all(re.fullmatch(r"whatif-tiny-\d+\.nc", n) for n in names), names
    assert len(names) == 2                                          # two files, two names

    loaded = statistics.median(_load_time(other, base) for _ in range(3))
    start = time.monotonic()
    _tab(other, "Compare")
    other.wait_for_selector(".verdict .tile")
    shown = time.monotonic() - start
    other.screenshot(path=str(ARTIFACTS / "other-session-during-whatif.png"), full_page=True)
    assert rows.nth(1).locator("strong").inner_text() != "written", "ended before the timing"
    (ARTIFACTS / "responsiveness.json").write_text(json.dumps(
        {"page load idle, s": idle, "page load during what-ifs, s": loaded,
         "Compare verdict during what-ifs, s": shown}, indent=1))
    # the bound, strictly: 0.52-0.66 s on the quiet 2-core VM (2026-11-30, four
    # runs, idle 0.48-0.53 s); up to 2.11 s only with other jobs at load 5 on the 2 cores
    assert loaded <= 2.0, \
        f"page load took {loaded:.2f} s while what-ifs ran (idle {idle:.2f} s)"
    for k in range(2):  # 40 one-year runs of the tiny network; slow on a loaded machine
        page.locator(".whatif-run").nth(k).locator("text=written").wait_for(timeout=600_000)
    page.screenshot(path=str(ARTIFACTS / "whatif-two-written.png"), full_page=True)
    written = set(Path(data.results_dir).glob("whatif-*.nc")) - before
    assert {p.name for p in written} == names
    assert not list(Path(data.results_dir).glob("*.reserved"))
    other.close()
    page.close()


def test_compare_opens_on_a_verdict(site, browser) -> None:  # type: ignore[no-untyped-def]
    """Compare starts on the compare file (not a newer what-if) with one tile per KPI:
    both means and the difference with its 95 % CI, in % or the network's currency,
    coloured by better or worse."""
    base, _ = site
    page = _login(browser, base, "vic", "vic-secret")
    start = time.monotonic()
    _tab(page, "Compare")
    page.wait_for_selector(".verdict .tile")
    took = time.monotonic() - start
    assert page.locator("select").first.evaluate(
        "s => s.options[s.selectedIndex].text").startswith("compare · heuristic vs fixed_ss")
    tiles = page.locator(".verdict .tile")
    labels = [tiles.nth(k).locator(".tile-label").inner_text() for k in range(tiles.count())]
    assert labels == ["critical fill rate", "total cost (transport, purchase, holding, "
                      "expired, repair)", "transport cost", "purchase cost", "holding cost",
                      "mean inventory value", "value scrapped (expired)"]
    fill = tiles.first.inner_text()
    assert re.search(r"heuristic: [\d.]+ % → fixed_ss: [\d.]+ %", fill), fill
    assert re.search(r"Δ [+−][\d.]+ pp", fill) and "95 % CI [" in fill
    cost = tiles.nth(1).inner_text()
    assert re.search(r"Δ [+−][\d,]+ CNY", cost), cost
    for k in range(tiles.count()):
        cls = tiles.nth(k).get_attribute("class")
        assert cls is not None and {"better", "worse", "same"} & set(cls.split())
    page.wait_for_selector("text=Paired differences against the baseline")
    page.screenshot(path=str(ARTIFACTS / "compare-verdict.png"), full_page=True)
    assert took < 10.0, f"Compare took {took:.2f} s"
    page.close()
