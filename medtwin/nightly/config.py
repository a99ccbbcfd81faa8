"""Settings of the nightly pipeline (``configs/nightly.yaml``), validated by pydantic."""

import os

from pydantic import field_validator

from erp_adapter.registry import url_problem
from medtwin.store.location import store_url_problem
from scenarios.run_settings import Days, Replications, Seed, Workers
from twin.domain.fields import DomainModel, field
from twin.problems import InputError, Problem
from twin.yaml_input import read_yaml, validate_as


class StressSettings(DomainModel):
    """How the candidate plan is stress-tested."""

    scenarios: list[str] = field(lambda: ["all"], description="scenario names, or ['all']")
    library: str | None = field(None, description="folder of scenario files (default "
                                                  "configs/scenarios)")
    reps: Replications = 10
    days: Days = 90
    workers: Workers = 0
    seed: Seed = 0


class RetrySettings(DomainModel):
    """Retries of ERP calls: wait ``backoff · factor^(k−1)`` seconds before attempt k+1."""

    attempts: int = field(3, description="attempts per ERP call", ge=1)
    backoff_seconds: float = field(2.0, unit="s", description="first wait", ge=0)
    factor: float = field(2.0, description="growth of the wait per attempt", ge=1)


class DataQualitySettings(DomainModel):
    """Thresholds of the nightly's anomaly checks (the ERP records are checked by the pull
    itself, see :mod:`twin.domain.alerts`)."""

    demand_days: int = field(7, unit="days", description="last days of demand compared with "
                                                         "the forecast", ge=1, le=366)
    demand_z: float = field(5.0, unit="1", description="standard deviations from the "
                                                       "forecast that raise a demand_outlier "
                                                       "alert", gt=0, le=1000)
    lead_time_z: float = field(4.0, unit="1", description="spreads of the calibrated lead "
                                                          "time an open order's promised "
                                                          "lead time may be off before a "
                                                          "lead_time_outlier alert",
                               gt=0, le=1000)


class NightlyConfig(DomainModel):
    """Everything one nightly run needs (relative paths from the working directory).

    Who the run acts as is not a setting: it is the store user holding the token in
    ``$MEDTWIN_SECRETS`` (a *service* user: it adds, stress-tests, gates and publishes,
    never approves), else the one mapped to the OS account it runs under. The approval
    rules are the store's (``medtwin rules``)."""

    network: str = field("reference", description="built-in network name, directory or "
                                                  "network.yaml")
    erp: str = field(description="Tryton URL http://HOST:PORT/DATABASE or an exchange folder")
    store: str | None = field(None, description="plan-store URL (default $MEDTWIN_STORE or "
                                                "sqlite:///out/medtwin.db)")
    out_dir: str = field("out/nightly", description="where plans, results, reports and the "
                                                   "morning summary go")
    history_days: int = field(28, unit="days", description="demand history pulled", ge=1)
    forecast_prior_days: float = field(
        28.0, unit="days", description="how many days of history the network's demand model "
                                       "is worth when blended with the forecast", gt=0)
    horizon_days: int = field(28, unit="days", description="planning horizon", ge=1, le=366)
    stress: StressSettings = field(StressSettings, description="stress test")
    retry: RetrySettings = field(RetrySettings, description="ERP retries")
    data_quality: DataQualitySettings = field(DataQualitySettings,
                                              description="anomaly-check thresholds")
    lock_file: str = field("out/nightly/nightly.lock", description="lock held during a run")

    @field_validator("erp")
    @classmethod
    def _erp_url(cls, value: str) -> str:
        problem = url_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str | None) -> str | None:
        problem = store_url_problem(value) if value is not None else None
        if problem is not None:
            raise ValueError(problem)
        return value


def load_config(path: str | os.PathLike[str]) -> NightlyConfig:
    """The config in ``path``; problems name the file and the field."""
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "", "expected a mapping of settings")])
    return validate_as(NightlyConfig, doc, str(path))
