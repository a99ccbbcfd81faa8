"""Writing calibrated supplier fields into a network's YAML file, comments and layout kept.

The file is edited as a round-trip YAML document (ruamel.yaml): only the changed values are
rewritten. The edited network is loaded and validated from a scratch copy of its folder
before the file is replaced atomically, so a failure leaves the network as it was.
"""

import io
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from solvers.calibration.into_network import SupplierUpdate
from twin.atomic import write_atomic
from twin.network_files import load_network
from twin.problems import InputError, Problem


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _flow(value: dict[str, Any]) -> CommentedMap:
    """``value`` as a one-line YAML mapping (as the bundled networks write distributions)."""
    out = CommentedMap()
    for key, item in value.items():
        out[key] = _flow(item) if isinstance(item, dict) else item
    out.fa.set_flow_style()
    return out


def write_supplier_updates(yaml_file: Path, updates: Sequence[SupplierUpdate]) -> None:
    """Set each update's supplier ``lateness`` and every offer's ``lead_time`` in
    ``yaml_file`` (an offer's own ``lateness`` goes: the calibration replaces it); validate the
    result, then replace the file. Raises :class:`InputError` naming the file when its
    suppliers are not written in it or the edited network does not validate."""
    y = _yaml()
    doc = y.load(yaml_file.read_text(encoding="utf-8"))
    suppliers = doc.get("suppliers") if isinstance(doc, dict) else None
    if not isinstance(suppliers, list):
        raise InputError([Problem(str(yaml_file), "suppliers", "calibrating into a network "
                                  "needs its suppliers written in this file")])
    by_id = {s.get("id"): s for s in suppliers if isinstance(s, dict)}
    for update in updates:
        sup = by_id[update.supplier]
        sup["lateness"] = _flow(update.lateness.model_dump(exclude_none=True))
        for offer in sup["supplies"]:
            offer["lead_time"] = _flow(update.lead_time.model_dump())
            offer.pop("lateness", None)
    buffer = io.StringIO()
    y.dump(doc, buffer)
    with tempfile.TemporaryDirectory(prefix="medtwin-calibrate-") as scratch:
        copy = Path(scratch) / "network"
        shutil.copytree(yaml_file.parent, copy)
        (copy / yaml_file.name).write_text(buffer.getvalue(), encoding="utf-8")
        try:
            load_network(copy / yaml_file.name)
        except InputError as exc:
            raise InputError([Problem(str(yaml_file), p.path, f"after calibration: {p.message}")
                              for p in exc.problems]) from None
    write_atomic(yaml_file, buffer.getvalue())
