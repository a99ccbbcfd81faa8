"""Make the twin's hand-built network helpers (``sim_builders``) importable here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "twin" / "sim"))
