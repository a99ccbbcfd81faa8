"""The configuration files medtwin ships with — package data, no code:

- ``networks/<name>/``: the built-in networks (``network.yaml`` and its CSV tables);
- ``schema/network.schema.json``: the JSON Schema of network files;
- ``scenarios/*.yaml``: the scenario library;
- ``nightly.yaml`` and ``approval.yaml``: default settings of ``medtwin nightly`` and of the
  auto-approval gate.

They are installed with the code (a wheel has them too); :func:`bundled` finds them.
"""

from importlib.resources import files
from pathlib import Path

CONFIG_DIR = Path(str(files(__name__)))
"""This folder: a plain directory in a checkout, an editable install and an installed wheel."""


def bundled(*parts: str) -> Path:
    """The bundled file or folder ``parts`` below :data:`CONFIG_DIR`, e.g.
    ``bundled("scenarios")`` or ``bundled("nightly.yaml")``."""
    return CONFIG_DIR.joinpath(*parts)
