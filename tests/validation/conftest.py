"""Make ``tests/helpers.py`` importable from this folder (as in ``tests/``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
