"""The estate-patch-dr scenario runs on a copy of molecule/estate (its molecule.yml is generated from
that one: `make scenarios`), and its tests share that scenario's helpers (molecule/estate/tests/estate.py),
which name the hosts after the running scenario."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "estate" / "tests"))
