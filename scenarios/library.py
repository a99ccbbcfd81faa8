"""The scenario library: YAML files in a folder (``configs/scenarios`` by default), resolved
against a network with every problem located by file and field.

Selection: ``all`` (every file of the library, sorted by name), a comma-separated list of
names, or paths to scenario files written elsewhere (named by their stem).
"""

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from scenarios.paths import DEFAULT_LIBRARY
from scenarios.spec import (
    OVERRIDABLE,
    ResolvedScenario,
    Scenario,
    apply_overrides,
    deep_merge,
    scaled_returns,
)
from twin.api import NetworkIndex
from twin.domain import Network
from twin.problems import InputError, Problem, format_path
from twin.sim import check_events
from twin.validation import check_network
from twin.yaml_input import located, read_yaml, validate_as


class Library:
    """Scenario files of one folder (plus any files named by path)."""

    def __init__(self, folder: str | os.PathLike[str] = DEFAULT_LIBRARY):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise InputError([Problem(str(self.folder), "", "scenario library folder not found")])
        self._files = {p.stem: p for p in sorted(self.folder.glob("*.yaml"))}

    def names(self) -> list[str]:
        """Names of the library's scenarios, sorted."""
        return list(self._files)

    def file(self, name: str) -> Path:
        """The file of scenario ``name`` (a library name or a path to a .yaml file)."""
        if name in self._files:
            return self._files[name]
        path = Path(name)
        if path.suffix in (".yaml", ".yml") and path.is_file():
            return path
        raise InputError([Problem("--scenarios", "", f"unknown scenario {name!r}; the library "
                                  f"{self.folder} has: {', '.join(self.names())}")])

    def read(self, name: str) -> tuple[Scenario, Path]:
        """The scenario as written and its file (a bare list is a scenario of only those
        events)."""
        file = self.file(name)
        doc = read_yaml(file)
        doc = {} if doc is None else {"events": doc} if isinstance(doc, list) else doc
        return validate_as(Scenario, doc, str(file)), file

    def select(self, spec: str | Iterable[str]) -> list[str]:
        """Names (or paths) chosen by ``spec``: ``all``, ``a,b`` or an iterable of names."""
        names = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
        if names == ["all"]:
            return self.names()
        chosen = [n for n in names if n]
        if not chosen:
            raise InputError([Problem("--scenarios", "", "no scenario named")])
        for n in chosen:
            self.file(n)
        return list(dict.fromkeys(chosen))

    def applicable(self, network: Network) -> tuple[list[str], dict[str, str]]:
        """The library's scenarios that resolve against ``network`` and, for the others, the
        first problem that rules each out (the bundled library names the reference
        network's suppliers, lanes and lots)."""
        found, skipped = [], {}
        for name in self.names():
            try:
                self.resolve(name, network)
            except InputError as exc:
                skipped[name] = exc.problems[0].message if exc.problems else str(exc)
                continue
            found.append(name)
        return found, skipped

    def resolve(self, name: str, network: Network) -> ResolvedScenario:
        """``name`` with its includes applied, checked against ``network``."""
        return self._resolve(name, network, ())

    def resolve_all(self, spec: str | Iterable[str], network: Network) -> list[ResolvedScenario]:
        """Every scenario chosen by ``spec`` (see :meth:`select`), resolved; problems of all
        of them are reported together."""
        out, problems = [], []
        for name in self.select(spec):
            try:
                out.append(self.resolve(name, network))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        return out

    def _resolve(self, name: str, network: Network, chain: tuple[str, ...]) -> ResolvedScenario:
        scenario, file = self.read(name)
        label = Path(name).stem
        events, overrides, bias, sources = [], {}, 0.0, []
        substitutes = scenario.substitutes
        returns: dict[str, float] = {}
        for k, inc in enumerate(scenario.include):
            if inc in (*chain, label):
                raise InputError([Problem(str(file), f"include[{k}]", "circular include: "
                                          + " → ".join((*chain, label, inc)))])
            try:
                part = self._resolve(inc, network, (*chain, label))
            except InputError as exc:
                if any(p.file == "--scenarios" for p in exc.problems):
                    raise InputError([Problem(str(file), f"include[{k}]",
                                              f"unknown scenario {inc!r}")]) from None
                raise
            events += part.events
            for collection, entries in part.overrides.items():
                for key, changes in entries.items():
                    deep_merge(overrides.setdefault(collection, {}).setdefault(key, {}),
                               changes)
            bias = (1 + bias) * (1 + part.forecast_bias) - 1
            substitutes &= part.substitutes
            returns = _times(returns, part.returns)
            sources += part.sources
        _check(scenario, file, network)
        events += scenario.events
        for collection, entries in scenario.overrides.items():
            for key, changes in entries.items():
                deep_merge(overrides.setdefault(collection, {}).setdefault(key, {}), changes)
        bias = (1 + bias) * (1 + scenario.forecast_bias) - 1
        return ResolvedScenario(name=label, description=scenario.description,
                                events=tuple(events), overrides=overrides,
                                forecast_bias=bias, sources=(*sources, label),
                                substitutes=substitutes,
                                returns=_times(returns, scenario.returns))


def _times(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    """Factors by reason, multiplied."""
    return {r: a.get(r, 1.0) * b.get(r, 1.0) for r in sorted({*a, *b})}


def _check(scenario: Scenario, file: Path, network: Network) -> None:
    """Problems of ``scenario``'s own events, overrides, substitutes switch and return-rate
    factors against ``network``."""
    where = str(file)
    problems = [located(where, ("events", *path), msg)
                for path, msg in check_events(scenario.events, NetworkIndex(network))]
    if not scenario.substitutes and not network.substitutes:
        problems.append(located(where, ("substitutes",), f"network {network.name} has no "
                                "substitute rules to turn off"))
    for collection, entries in scenario.overrides.items():
        if collection not in OVERRIDABLE:
            problems.append(located(where, ("overrides", collection), "cannot override "
                                    f"{collection!r}; one of: {', '.join(OVERRIDABLE)}"))
            continue
        key = OVERRIDABLE[collection]
        known = {getattr(row, key) for row in getattr(network, collection)}
        problems += [located(where, ("overrides", collection, name),
                             f"no {collection[:-1]} {name!r} in network {network.name}")
                     for name in entries if name not in known]
    if not problems and scenario.overrides:
        try:
            changed = apply_overrides(network, scenario.overrides)
        except ValidationError as exc:
            problems += [Problem(where, "overrides", f"{format_path(tuple(e['loc']))}: "
                                 f"{e['msg']}") for e in exc.errors()]
        else:
            problems += [Problem(where, "overrides", f"{format_path(path)}: {msg}")
                         for path, msg in check_network(changed)]
    rated = {r.reason for d in network.demand for r in d.returns if r.rate > 0}
    if scenario.returns and not rated.intersection(scenario.returns):
        problems.append(located(where, ("returns",), f"network {network.name} has no return "
                                f"rates for {', '.join(scenario.returns)} to scale"))
    for i, d in enumerate(network.demand):
        total = sum(r.rate for r in scaled_returns(d.returns, scenario.returns))
        if total > 1 + 1e-9:
            problems.append(located(where, ("returns",), (
                f"the factors make the return rates of demand[{i}] ({d.hospital}/"
                f"{d.department}, {d.item}) add up to {total:.3g} > 1")))
            break
    if problems:
        raise InputError(problems)
