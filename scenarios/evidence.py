"""Stress evidence as a typed contract: what ``medtwin stress`` and the nightly attach to a
plan (its ``stress_test`` member), what the plan store keeps and the approval gate and the
dashboards read.

The models match, key for key, the JSON that :func:`scenarios.stress.evidence` has always
written, so that plan files and stored evidence of earlier runs load unchanged:

.. code-block:: json

    {"policy": "plan", "plan_id": "…", "network": "…", "network_sha256": "…",
     "replications": 10, "days": 90, "seed": 0, "confidence_level": 0.95,
     "code_version": "…",
     "scenarios": [{"scenario": "baseline", "description": "…",
                    "kpis": {"fill_rate_critical": {"mean": 0.99, "lower": 0.98,
                                                    "upper": 1.0, "half_width": 0.01,
                                                    "n": 10.0}, …}}, …],
     "worst": {"scenario": "…", "kpi": "fill_rate_critical", "mean": …, "lower": …,
               "upper": …, "why": "…"},
     "against": {"policy": "fixed_ss", "scenarios": [{"scenario": "…",
                 "kpis": {"holding_cost": {"mean": …, …, "significant": true}}}]},
     "results_file": "…",                               (medtwin stress)
     "idle_scenarios": […], "files": {"stress results": "…", "report": "…"},  (nightly)
     "data_quality": [{"kind": "negative_stock", "severity": "critical", …}, …]  (nightly)}

Every member but ``scenarios`` may be absent (older or hand-written evidence); a statistic
is ``null`` when it is not finite. :meth:`StressEvidence.to_doc` writes back exactly the
members that were set, in this order.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from twin.domain import Alert


class _Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class KpiStat(_Evidence):
    """One KPI of one scenario over the replications: mean and its 95 % CI."""

    mean: float | None = None
    lower: float | None = None
    upper: float | None = None
    half_width: float | None = None
    n: float | None = None


class KpiDifference(KpiStat):
    """A paired difference (plan − reference policy) and whether its CI excludes zero."""

    significant: bool = False


class ScenarioKpis(_Evidence):
    """The plan's KPIs in one scenario."""

    scenario: str
    description: str = ""
    kpis: dict[str, KpiStat] = Field(default_factory=dict)


class ScenarioDifferences(_Evidence):
    """Paired differences against the reference policy in one scenario."""

    scenario: str
    kpis: dict[str, KpiDifference] = Field(default_factory=dict)


class Against(_Evidence):
    """The reference policy the plan was run beside, and the differences per scenario."""

    policy: str
    scenarios: list[ScenarioDifferences] = Field(default_factory=list)


class Worst(_Evidence):
    """The worst scenario (lowest mean critical fill rate) and why."""

    scenario: str
    kpi: str
    mean: float | None = None
    lower: float | None = None
    upper: float | None = None
    why: str = ""


class StressEvidence(_Evidence):
    """A plan's stress-test evidence (see the module docstring)."""

    policy: str | None = None
    plan_id: str | None = None
    network: str | None = None
    network_sha256: str | None = None
    replications: int | None = None
    days: int | None = None
    seed: int | None = None
    confidence_level: float | None = None
    code_version: str | None = None
    scenarios: list[ScenarioKpis] = Field(default_factory=list)
    worst: Worst | None = None
    against: Against | None = None
    results_file: str | None = None
    idle_scenarios: list[str] | None = None
    files: dict[str, str] | None = None
    data_quality: list[Alert] | None = None
    """The data-quality alerts of the pull the plan was made from (a critical one blocks
    auto-approval)."""
    plan_sha256: str | None = None
    """sha256 of the plan's content (its JSON without evidence) this evidence is about."""
    signature: str | None = None
    """medtwin's seal: a keyed hash of the rest, checked when the plan store takes it."""

    @classmethod
    def parse(cls, doc: "StressEvidence | dict[str, Any]") -> "StressEvidence":
        """Evidence from its JSON document (a ``ValueError`` names what does not fit)."""
        return doc if isinstance(doc, StressEvidence) else cls.model_validate(doc)

    def to_doc(self) -> dict[str, Any]:
        """The JSON document: the members that were set, as they were set."""
        return self.model_dump(mode="json", exclude_unset=True)


def evidence_doc(evidence: "StressEvidence | dict[str, Any]") -> dict[str, Any]:
    """The JSON document of ``evidence`` (a document is returned as it is, so that its
    digest does not change)."""
    return evidence.to_doc() if isinstance(evidence, StressEvidence) else evidence
