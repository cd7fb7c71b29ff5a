"""Run history with ARA: the environment that makes ansible-playbook record a run, and the run it recorded.

ARA's callback (`ara_default`) records every playbook run: who ran it (the OS user, or ARA_RECORD_USER_NAME),
from which controller, each task and result. Its settings live in ansible.cfg (`[ara]`: what it must not
record); where it records is the environment's choice:

- lab: `ARA_BASE_DIR=.lab/ara` (SQLite, set here and by the Makefile);
- production: ARA_BASE_DIR on the control host (SQLite), or `ARA_API_CLIENT=http` and `ARA_API_SERVER` for a
  shared ARA server backed by PostgreSQL (docs/runbooks/run-history.md).

When ara is not installed, runs are not recorded and nothing fails: `ara_env` returns the environment as it
was given.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CALLBACK = "ara_default"
LAB_BASE_DIR = Path(".lab/ara")


def ara_callbacks() -> Path | None:
    """ara's callback plugin folder when ara is installed beside this Python, else None."""
    spec = importlib.util.find_spec("ara")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "plugins" / "callback"
    return folder if (folder / f"{CALLBACK}.py").is_file() else None


def ara_env(root: Path, env: Mapping[str, str], label: str = "") -> dict[str, str]:
    """`env` with ARA's callback enabled (plugin path, callback, database), and `label` on the run."""
    full = dict(env)
    folder = ara_callbacks()
    if folder is None:
        return full
    paths = [
        p for p in full.get("ANSIBLE_CALLBACK_PLUGINS", str(root / "plugins" / "callback")).split(":") if p
    ]
    full["ANSIBLE_CALLBACK_PLUGINS"] = ":".join(dict.fromkeys([*paths, str(folder)]))
    enabled = [c for c in full.get("ANSIBLE_CALLBACKS_ENABLED", "medops_summary").split(",") if c]
    full["ANSIBLE_CALLBACKS_ENABLED"] = ",".join(dict.fromkeys([*enabled, CALLBACK]))
    if "ARA_API_CLIENT" not in full or full["ARA_API_CLIENT"] == "offline":
        full.setdefault("ARA_BASE_DIR", str(root / LAB_BASE_DIR))
    if label:
        # The variable replaces ansible.cfg's default_labels: keep them.
        labels = [x for x in full.get("ARA_DEFAULT_LABELS", "medops").split(",") if x]
        full["ARA_DEFAULT_LABELS"] = ",".join([*labels, label])
    return full


def run_link(env: Mapping[str, str], label: str) -> str:
    """How to open the run ARA recorded with `label`: the server's page, or the `ara` command; "" if none."""
    if ara_callbacks() is None:
        return ""
    ara = shutil.which("ara", path=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]))
    if ara is None:
        return ""
    try:
        result = subprocess.run(
            [ara, "playbook", "list", "--label", label, "-f", "json", "--limit", "1"],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
            check=False,
        )
        found = json.loads(result.stdout) if result.returncode == 0 else []
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return ""
    if not found or not isinstance(found, list) or "id" not in found[0]:
        return ""
    number = found[0]["id"]
    server = env.get("ARA_API_SERVER", "")
    if env.get("ARA_API_CLIENT") == "http" and server:
        return f"{server.rstrip('/')}/playbooks/{number}.html"
    return f"ara playbook show {number}"
