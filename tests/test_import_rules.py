"""Import rules between the packages, as a contract test (read from the source, no import).

* Outside ``twin``, the twin's simulation is used through its public surfaces only:
  :mod:`twin.api` (policies and planning models) and the :mod:`twin.sim` package itself
  (running the twin, events, KPIs, result files) — never a submodule ``twin.sim.<x>``.
  Checked for every package above the twin.
* ``twin`` imports none of the packages built on it.
* ``dashboards`` reach the application shell only through its services layer
  (:mod:`medtwin.services`), and ``medtwin`` imports ``dashboards`` at module level nowhere
  (``medtwin dashboard`` imports the app inside the command function).
* Nothing is imported only for its side effects (``# noqa: F401`` on an import): registries
  are explicit.
* Outside ``erp_adapter`` an ERP is reached through :mod:`erp_adapter.protocol` and
  :mod:`erp_adapter.registry` only: no adapter class, no Tryton client, mapping, pull or
  publish module. Tryton's development tools (``erp_adapter.tryton.dev``, ``rows``,
  ``seed``, ``seeded``, ``server``) may be used by the demo commands; the adapter modules never
  import them.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_TWIN_SIM = {"twin.sim"}
SEAM_CHECKED = ("solvers", "scenarios", "dashboards", "medtwin", "erp_adapter")
ABOVE_TWIN = ("solvers", "scenarios", "erp_adapter", "dashboards", "medtwin")
ALL_CODE = ("twin", *ABOVE_TWIN, "bench")
ERP_USERS = ("medtwin", "dashboards", "scenarios", "solvers", "twin")
ERP_ADAPTER_INTERNALS = {f"erp_adapter.tryton.{m}"
                         for m in ("adapter", "client", "mapping", "pull", "publish")}
ERP_ADAPTER_INTERNALS |= {"erp_adapter.trace", "erp_adapter.flatfile.FlatFileAdapter"}
TRYTON_DEV_TOOLS = {f"erp_adapter.tryton.{m}"
                    for m in ("dev", "rows", "seed", "seeded", "server")}


def _sources(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, also inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            # ``from twin.sim import engine`` reaches a submodule too
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                        if (ROOT / node.module.replace(".", "/") / f"{alias.name}.py").exists())


def _module_level_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of the imports at the top level of ``path`` (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def _twin_sim_internals(module: str) -> bool:
    return module.startswith("twin.sim.") and module not in PUBLIC_TWIN_SIM


@pytest.mark.parametrize("package", SEAM_CHECKED)
def test_no_twin_sim_internals_outside_twin(package: str) -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {module}" for path in _sources(package)
           for line, module in _imports(path) if _twin_sim_internals(module)]
    assert not bad, "use twin.api or twin.sim instead of:\n" + "\n".join(bad)


def test_twin_imports_nothing_built_on_it() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {module}" for path in _sources("twin")
           for line, module in _imports(path) if module.split(".")[0] in ABOVE_TWIN]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", ALL_CODE)
def test_nothing_is_imported_for_its_side_effects(package: str) -> None:
    bad = [f"{path.relative_to(ROOT)}:{n}" for path in _sources(package)
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if "import " in line and "noqa: F401" in line]
    assert not bad, "import what you use; registries are explicit:\n" + "\n".join(bad)


def test_the_rule_catches_a_submodule_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from twin.sim.dispatch import execute\nfrom twin.sim import simulate\n"
                      "def f():\n    import twin.sim.lots\n")
    found = [m for _, m in _imports(sample) if _twin_sim_internals(m)]
    assert found == ["twin.sim.dispatch", "twin.sim.lots"]


def _names(path: Path) -> Iterator[tuple[int, str]]:
    """Like :func:`_imports`, plus ``module.name`` for every name imported from a module."""
    yield from _imports(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield from ((node.lineno, f"{node.module}.{a.name}") for a in node.names)


@pytest.mark.parametrize("package", ERP_USERS)
def test_erps_are_reached_through_the_protocol_and_registry(package: str) -> None:
    bad = sorted({f"{path.relative_to(ROOT)}:{line}: {module}" for path in _sources(package)
                  for line, module in _names(path) if module in ERP_ADAPTER_INTERNALS})
    assert not bad, ("use erp_adapter.registry.open_adapter and the ErpAdapter protocol "
                     "(capabilities) instead of:\n" + "\n".join(bad))


def test_the_erp_adapters_do_not_import_the_tryton_dev_tools() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {module}" for path in _sources("erp_adapter")
           if f"erp_adapter.tryton.{path.stem}" not in TRYTON_DEV_TOOLS
           for line, module in _imports(path) if module in TRYTON_DEV_TOOLS]
    assert not bad, "\n".join(bad)


def _shell_outside_services(module: str) -> bool:
    return (module == "medtwin" or module.startswith("medtwin.")) and not (
        module == "medtwin.services" or module.startswith("medtwin.services."))


def test_dashboards_use_the_shell_through_its_services_only() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {module}" for path in _sources("dashboards")
           for line, module in _imports(path) if _shell_outside_services(module)]
    assert not bad, "call medtwin.services instead of:\n" + "\n".join(bad)


def test_the_shell_imports_no_dashboard_at_module_level() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {module}" for path in _sources("medtwin")
           for line, module in _module_level_imports(path)
           if module.split(".")[0] == "dashboards"]
    assert not bad, "\n".join(bad)


def test_the_rules_catch_a_store_import_and_a_module_level_dashboard(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from medtwin.store import PlanStore\nimport dashboards.app\n"
                      "from medtwin.services.plans import PlanService\n"
                      "def f():\n    from dashboards.app import serve\n")
    assert [m for _, m in _imports(sample) if _shell_outside_services(m)] == ["medtwin.store"]
    assert [m for _, m in _module_level_imports(sample) if m.startswith("dashboards")] == \
        ["dashboards.app"]
