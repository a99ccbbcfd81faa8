"""The cache of seeded databases keeps what a run of the same day may still use."""

from pathlib import Path

from erp_adapter.tryton.seeded import _prune
from twin.domain import Network


def test_prune_removes_earlier_days_only(tmp_path: Path, tiny_net: Network) -> None:
    names = ["seeded-tiny-2026-11-28-ffff-14d-0-t", "seeded-tiny-2026-11-29-0000-3d-0-t",
             "seeded-tiny-2026-11-29-ffff-14d-0-t", "seeded-tiny-2026-11-30-0000-14d-0-t",
             "seeded-other-2026-11-01-0000-14d-0-t"]
    for name in names:
        (tmp_path / name).mkdir()
    _prune(tmp_path, "seeded-tiny-2026-11-29-ffff-14d-0-t", tiny_net)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])
