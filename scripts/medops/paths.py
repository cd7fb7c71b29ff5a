"""Where the repository and its state live."""

from __future__ import annotations

import json
import os
import tempfile
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


def write_atomic(path: Path, text: str) -> None:
    """Write a record whole or not at all (a temporary file beside it, then a rename), mode 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json_files(folder: Path, pattern: str) -> tuple[list[tuple[Path, object]], list[str]]:
    """Every file of `folder` matching `pattern` (sorted) read as JSON, and a line per unreadable one."""
    found: list[tuple[Path, object]] = []
    problems: list[str] = []
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        try:
            found.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path.relative_to(folder)}: {exc}")
    return found, problems
