"""Where the repository and its state live."""

from __future__ import annotations

import os
from pathlib import Path

from medops.errors import MedopsError


def repo_root(start: Path | None = None) -> Path:
    """Return the medops checkout: $MEDOPS_ROOT, or the nearest parent holding ansible.cfg and inventory/."""
    env = os.environ.get("MEDOPS_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / "ansible.cfg").is_file():
            raise MedopsError(f"MEDOPS_ROOT={env} is not a medops checkout (no ansible.cfg there)")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ansible.cfg").is_file() and (candidate / "inventory").is_dir():
            return candidate
    raise MedopsError(f"not inside a medops checkout ({here}); cd into it or set MEDOPS_ROOT")


def state_dir(root: Path) -> Path:
    """Lab state kept out of git: the generated vault password and run summaries."""
    return root / ".lab"
