"""The execution back end: the local cluster's workers run with the quiet Dask settings."""

import dask
import distributed  # noqa: F401  (its defaults enter dask.config on import)

from scenarios.execution import LOCAL_CLUSTER_CONFIG, _client


def _settings() -> dict[str, object]:
    return {key: dask.config.get(key) for key in LOCAL_CLUSTER_CONFIG}


def test_local_workers_run_with_the_quiet_settings() -> None:
    assert _settings() != LOCAL_CLUSTER_CONFIG          # this process keeps Dask's defaults
    with _client(2, None) as client:
        seen = client.run(_settings)                    # type: ignore[attr-defined]
    assert len(seen) == 2
    assert all(s == LOCAL_CLUSTER_CONFIG for s in seen.values())
    assert _settings() != LOCAL_CLUSTER_CONFIG
