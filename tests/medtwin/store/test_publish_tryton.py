"""`medtwin plans publish` of a partly approved plan to a real Tryton (one test: ~20 s)."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from erp_adapter.tryton.server import TrytonServer
from medtwin.cli import main
from medtwin.store import PlanStore, open_store
from medtwin.store.seal import seal
from tests.erp_adapter.conftest import (  # noqa: F401  (fixtures of the real Tryton)
    docs,
    erp_day,
    erp_env,
    erp_net,
    seeded,
    seeded_erp,
    seeded_tiny,
    seeded_tiny_pg,
    start_server,
    tiny_erp,
    tiny_net,
    tryton_backend,
    tryton_postgres,
    tryton_template,
    tryton_template_pg,
)
from tests.erp_adapter.test_tryton_publish import every_kind_plan
from tests.medtwin.store.samples import new_store

pytestmark = [pytest.mark.slow, pytest.mark.date_sensitive]  # a real Tryton; a year ahead too


def test_subset_publish_to_tryton_logs_each_document(tiny_erp: TrytonServer, docs,  # noqa: F811
                                                     erp_day: dt.date,  # noqa: F811
                                                     erp_net, tiny_dir: Path,  # noqa: F811
                                                     tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = new_store(url)
    plan = every_kind_plan(erp_day)
    doc = json.loads(plan.model_dump_json(by_alias=True))
    doc["stress_test"] = seal({"scenarios": []}, plan, store.keyring)
    store.add_plan(json.dumps(doc), "pat", "plan.json", erp_net)
    chosen = [plan.actions[2].key, plan.actions[3].key]   # cross-org transfer, one purchase
    runner = CliRunner(env={"MEDTWIN_STORE": url, "MEDTWIN_SECRETS": None})

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run("plans", "approve", plan.id, "--lines", ",".join(chosen), "--comment", "two lines")
    run("plans", "publish", plan.id, "--erp", tiny_erp.url, "--network", str(tiny_dir))

    keyed = docs.keyed(tiny_erp.url, [a.key for a in plan.actions])
    assert {k for k, found in keyed.items() if found} == set(chosen)
    logged = sorted((json.loads(r.payload)["line"], json.loads(r.payload)["model"])
                    for r in PlanStore(open_store(url)).audit_rows(plan.id)
                    if r.action == "erp_document")
    assert logged == sorted((k, model) for k in chosen for model, _ in keyed[k])
    assert "intact" in run("audit", "verify")
