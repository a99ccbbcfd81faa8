"""Issue 20, property-based: mutated inputs never break the CLI's contract.

Valid inputs — the tiny network (YAML and CSV tables), a scenario, a plan, a demand
history, an SCMS shipment history, plan settings and a nightly config — are mutated
(a value replaced by NaN, ±inf, 10^30, a negative, Arabic-Indic digits, text, an empty
list…; a key removed or added; a list emptied or a row repeated; a CSV cell changed, a row
made wider or narrower, the file truncated or emptied) and given to the command that reads
them, in-process. Whatever the mutation, :func:`cli_contract.run` checks: the exit code is
documented, there is no traceback, and a failed run wrote nothing.

Examples per test: ``MEDTWIN_FUZZ=dev`` (the default) runs 15, ``MEDTWIN_FUZZ=ci`` (what
``make test-slow`` sets) runs 150.
"""

import copy
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from cli_contract import run as run_checked
from cli_inputs import history, scms
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from solvers.planning import make_plan
from twin.network_files import load_network

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
EXAMPLES = {"dev": 15, "ci": 150}
FUZZ = settings(max_examples=EXAMPLES[os.environ.get("MEDTWIN_FUZZ", "dev")], deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NASTY: list[Any] = [math.nan, math.inf, -math.inf, 1e30, 10**30, -1, 0, -1e-9, "", "٣",
                    "１２", "NOPE", None, [], {}, True, "2026-02-30", "a;b;c"]
nasty = (st.sampled_from(NASTY).map(copy.deepcopy)  # a fresh [] or {} each time
         | st.integers() | st.floats() | st.text(max_size=8))

Doc = dict[str, Any] | list[Any]


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``doc`` (mappings and lists)."""
    children = (doc.items() if isinstance(doc, dict)
                else enumerate(doc) if isinstance(doc, list) else ())
    for key, value in children:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


@st.composite
def mutated(draw: st.DrawFn, doc: Doc) -> Doc:
    """``doc`` (JSON-like) with one to three mutations: a number scaled (often still valid,
    so the command runs on), a value replaced by a nasty one, a key removed or added, a
    list or mapping emptied, a list element repeated."""
    out = json.loads(json.dumps(doc, default=str))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(out))
        if not paths:
            break
        *parent_path, key = draw(st.sampled_from(paths))
        parent = out
        for part in parent_path:
            parent = parent[part]
        kind = draw(st.sampled_from(["perturb", "perturb", "replace", "replace", "delete",
                                     "add", "empty", "repeat"]))
        value = parent[key]
        if kind == "perturb" and isinstance(value, int | float) and not isinstance(value, bool):
            scaled = value * draw(st.sampled_from([0, 0.5, 0.9, 1.1, 2, 10]))
            parent[key] = round(scaled) if isinstance(value, int) else scaled
        elif kind == "delete":
            del parent[key]
        elif kind == "add" and isinstance(value, dict):
            value[draw(st.sampled_from(["extra", "solver", "id", "weekly"]))] = draw(nasty)
        elif kind == "empty" and isinstance(value, list | dict):
            value.clear()
        elif kind == "repeat" and isinstance(value, list) and value:
            value.append(value[draw(st.integers(0, len(value) - 1))])
        else:
            parent[key] = draw(nasty)
    return out


@st.composite
def mutated_csv(draw: st.DrawFn, text: str) -> str:
    """A CSV ``text`` with one mutation: a cell, a row's width, a repeated row, the file
    truncated, header-only or empty."""
    lines = text.splitlines()
    row = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["cell", "cell", "wider", "narrower", "repeat", "truncate",
                                 "header", "empty"]))
    if kind == "empty":
        return ""
    if kind == "header":
        return lines[0] + "\n"
    if kind == "truncate":
        return text[:draw(st.integers(0, len(text)))]
    cells = lines[row].split(",")
    if kind == "cell":
        cells[draw(st.integers(0, len(cells) - 1))] = str(draw(nasty)).replace(",", ";")
    elif kind == "wider":
        cells.append("extra")
    elif kind == "narrower":
        cells.pop()
    else:
        lines.append(lines[row])
    lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n"


@contextmanager
def workdir() -> Iterator[Path]:
    """A fresh folder per example (hypothesis runs many examples per test call)."""
    with tempfile.TemporaryDirectory(prefix="medtwin-fuzz-") as folder:
        yield Path(folder)


def write_yaml(path: Path, doc: Doc) -> Path:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@cache
def plan_doc() -> dict[str, Any]:
    """The tiny network's plan as JSON (made once)."""
    return json.loads(make_plan(load_network(TINY)).model_dump_json(by_alias=True))


SCENARIO = {"description": "fuzzed", "include": ["baseline"], "forecast_bias": 0.1,
            "events": [{"kind": "lane_closure", "lane": "WH-SH>WH-GZ:road", "start": 0,
                        "end": 3},
                       {"kind": "demand_multiplier", "region": "east", "factor": 2,
                        "start": 0, "end": 5}],
            "overrides": {"suppliers": {"SUP-MED": {"lateness": {
                "probability": 0.5, "delay": {"mean": 7, "spread": 7}}}}}}
SETTINGS = {"safety_stock": {"scenarios": 20,
                             "fill_rate_target": {"critical": 0.99, "high": 0.97,
                                                  "routine": 0.95},
                             "shortage_penalty": {"critical": 10.0, "high": 4.0, "routine": 1.0},
                             "org_budget": {"GRP": 1e7}, "highs_options": {"solver": "simplex"}},
            "transfers": {"horizon_days": 14,
                          "shortage_penalty": {"critical": 20.0, "high": 5.0, "routine": 1.0},
                          "highs_options": {"time_limit": 30.0}}}
NIGHTLY = {"network": str(TINY), "erp": "out/erp", "store": "sqlite:///out/m.db",
           "history_days": 28, "horizon_days": 28,
           "stress": {"scenarios": ["baseline"], "reps": 2, "days": 7},
           "approval": {"min_critical_fill_rate": 0.99}, "retry": {"attempts": 3},
           "lock_file": "out/n.lock"}


def run(args: list[Any], watch: list[Path]) -> Any:
    """:func:`cli_contract.run`, counting exit codes per command (``--hypothesis-show-
    statistics`` shows how many mutants were refused and how many ran)."""
    result = run_checked(args, watch)
    event(f"{' '.join(str(a) for a in args[:2] if not str(a).startswith('/'))} exit "
          f"{result.exit_code}")
    return result


def network_yaml() -> dict[str, Any]:
    return yaml.safe_load((TINY / "network.yaml").read_text(encoding="utf-8"))


@FUZZ
@given(data=st.data(), table=st.sampled_from([None, "lots.csv", "stock_policies.csv"]))
def test_mutated_networks(data: st.DataObject, table: str | None) -> None:
    """validate, then (when valid) simulate and plan the mutant."""
    with workdir() as work:
        net = work / "net"
        shutil.copytree(TINY, net)
        if table is None:
            write_yaml(net / "network.yaml", data.draw(mutated(network_yaml())))
        else:
            (net / table).write_text(data.draw(mutated_csv((net / table).read_text())))
        if run(["validate", net], watch=[work]).exit_code == 0:
            run(["simulate", net, "--days", 2, "--out", work / "out" / "s.nc"], watch=[work])
            run(["plan", net, "--horizon", 7, "--out", work / "out" / "plan.json"],
                watch=[work])


@FUZZ
@given(data=st.data())
def test_mutated_scenarios(data: st.DataObject) -> None:
    with workdir() as work:
        scenario = write_yaml(work / "fuzzed.yaml", data.draw(mutated(SCENARIO)))
        run(["simulate", TINY, "--days", 2, "--scenario", scenario, "--out", work / "s.nc"],
            watch=[work])


@FUZZ
@given(data=st.data())
def test_mutated_plans(data: st.DataObject) -> None:
    with workdir() as work:
        plan = work / "plan.json"
        plan.write_text(json.dumps(data.draw(mutated(plan_doc()))), encoding="utf-8")
        run(["stress", plan, "--network", TINY, "--scenarios", "baseline", "--reps", 2,
             "--days", 3, "--out", work / "stress"], watch=[work])


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["demand", "shipments"]))
def test_mutated_histories(data: st.DataObject, kind: str) -> None:
    with workdir() as work:
        if kind == "demand":
            file = work / "history.csv"
            valid = history(work / "valid.csv", 40).read_text()
            file.write_text(data.draw(mutated_csv(valid)))
            args: list[Any] = ["forecast", file, "--holdout", 7, "--out", work / "f.nc"]
        else:
            file = work / "scms.csv"
            file.write_text(data.draw(mutated_csv(scms(work / "valid.csv", 40).read_text())))
            args = ["calibrate", "lead-times", file, "--out", work / "lt.yaml"]
        run(args, watch=[work])


def _plan_with(settings_file: Path, work: Path) -> list[Any]:
    return ["plan", TINY, "--horizon", 7, "--settings", settings_file, "--out", work / "p.json"]


def _schedule(config: Path, work: Path) -> list[Any]:
    del work
    return ["schedule", "--config", config, "--next", 1]


CONFIGS: dict[str, tuple[Doc, Callable[[Path, Path], list[Any]]]] = {
    "settings": (SETTINGS, _plan_with), "nightly": (NIGHTLY, _schedule)}


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["settings", "nightly"]))
def test_mutated_configs(data: st.DataObject, kind: str) -> None:
    """Plan settings (plan) and the nightly config (checked by ``schedule --next``)."""
    with workdir() as work:
        base, command = CONFIGS[kind]
        file = write_yaml(work / f"{kind}.yaml", data.draw(mutated(base)))
        run(command(file, work), watch=[work])
