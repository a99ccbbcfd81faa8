"""Make the twin's test helpers (``sim_builders``) importable from these tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
