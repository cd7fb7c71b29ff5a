"""Run the read-only plan playbook (playbooks/patch-plan.yml) and return the folder it filled.

The playbook writes one collection per host (`<host>.json`: the raw output of apt-get -s dist-upgrade,
apt-cache policy and the restart scan) into `patch_collect_dir` on the control node; `medops.patch.plan`
parses them. This module is the only part of `medops patch plan` that runs anything.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from medops.errors import MedopsError
from medops.proc import run

PLAYBOOK = Path("playbooks/patch-plan.yml")
TIMEOUT = 1800
_FAILURE = re.compile(
    r"^(fatal|failed): \[(?P<host>[^\]]+)\].*?(?:\"msg\": \"(?P<msg>[^\"]*)\"|=> (?P<rest>.*))?$"
)


def plan_argv(
    root: Path, inventory: Path, out: Path, limit: str | None, vault_ids: Sequence[str] = ()
) -> list[str]:
    argv = ["ansible-playbook", "-i", str(inventory), str(root / PLAYBOOK), "-e", f"patch_collect_dir={out}"]
    if limit:
        argv += ["--limit", limit]
    for vault_id in vault_ids:
        argv += ["--vault-id", vault_id]
    return argv


def failures(output: str) -> list[str]:
    """'<host>: <message>' for each host the playbook output reports as failed or unreachable."""
    found = []
    for line in output.splitlines():
        match = _FAILURE.match(line.strip())
        if match:
            detail = match["msg"] or (match["rest"] or "").strip()[:200] or "failed"
            found.append(f"{match['host']}: {detail}")
    return found


def collect(root: Path, inventory: Path, out: Path, limit: str | None, vault_ids: Sequence[str] = ()) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
    env["ANSIBLE_NOCOLOR"] = "1"
    argv = plan_argv(root, inventory, out, limit, vault_ids)
    result = run(argv, check=False, env=env, cwd=root, timeout=TIMEOUT)
    if result.returncode != 0:
        found = failures(result.stdout)
        if found:
            raise MedopsError(
                f"the plan stopped: {found[0]}" + (f" (and {len(found) - 1} more)" if len(found) > 1 else "")
            )
        last = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise MedopsError(f"ansible-playbook {PLAYBOOK} failed (exit {result.returncode}): {last[-1]}")
    return out
