"""Collect `pgbackrest --output=json info` from the inventory's repository host, through Ansible.

The command runs as the `pgbackrest` user on the one host of the inventory's `backup` group:

    ansible backup -i <inventory> -m ansible.builtin.command -a "pgbackrest --output=json info" \\
        --become --become-user pgbackrest

Ansible's output comes back as JSON (the `ansible.posix.json` stdout callback) rather than in the one-line
`-o` form: `-o` and its `oneline` callback are deprecated in ansible-core 2.19 and go in 2.23, and the JSON
form carries the command's stdout, rc and stderr as separate fields. `stdout_from_ansible_json` is the
pure part; `collect_info` is the only function here that runs anything.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from medops.errors import MedopsError
from medops.proc import run

BACKUP_GROUP = "backup"
PGBACKREST_USER = "pgbackrest"
INFO_COMMAND = "pgbackrest --output=json info"
TIMEOUT = 300


def ansible_argv(inventory: Path, vault_ids: Sequence[str] = ()) -> list[str]:
    """The ad-hoc command that runs `pgbackrest info` on the backup group's host."""
    argv = [
        "ansible",
        BACKUP_GROUP,
        "-i",
        str(inventory),
        "-m",
        "ansible.builtin.command",
        "-a",
        INFO_COMMAND,
        "--become",
        "--become-user",
        PGBACKREST_USER,
    ]
    for vault_id in vault_ids:
        argv += ["--vault-id", vault_id]
    return argv


def ansible_env(base: Mapping[str, str]) -> dict[str, str]:
    """The environment for the ad-hoc run: JSON output, tools of this Python's environment first."""
    env = dict(base)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
    env["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "1"
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def _host_results(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    results: dict[str, Mapping[str, Any]] = {}
    for play in data.get("plays") or []:
        for task in play.get("tasks") or []:
            for host, result in (task.get("hosts") or {}).items():
                results[str(host)] = result
    return results


def _last_line(text: object) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[-1] if lines else ""


def stdout_from_ansible_json(output: str) -> tuple[str, str]:
    """From the ad-hoc run's JSON output, the repository host's name and the command's stdout.

    Raises MedopsError naming the host and pgBackRest's own last line when the command failed, and when the
    backup group has no host or more than one.
    """
    start = output.find("{")
    try:
        data = json.loads(output[start:]) if start >= 0 else None
    except json.JSONDecodeError as exc:
        raise MedopsError(
            f"ansible's output is not JSON ({exc}); run the command by hand to see why"
        ) from None
    if not isinstance(data, dict):
        raise MedopsError("ansible printed no results; is there a host in the inventory's backup group?")
    results = _host_results(data)
    if not results:
        raise MedopsError(f"no host in the inventory's {BACKUP_GROUP} group answered")
    if len(results) > 1:
        raise MedopsError(
            f"the {BACKUP_GROUP} group has {len(results)} hosts ({', '.join(sorted(results))}); "
            "the review reads one repository host"
        )
    host, result = next(iter(results.items()))
    if result.get("unreachable"):
        raise MedopsError(f"{host} is unreachable: {_last_line(result.get('msg'))}")
    if result.get("failed") or result.get("rc", 0) != 0:
        reason = _last_line(result.get("stderr")) or _last_line(result.get("msg")) or "no output"
        raise MedopsError(f"{INFO_COMMAND} failed on {host} (rc {result.get('rc', '?')}): {reason}")
    stdout = result.get("stdout")
    if not isinstance(stdout, str) or not stdout.strip():
        raise MedopsError(f"{INFO_COMMAND} printed nothing on {host}")
    return host, stdout


def collect_info(root: Path, inventory: Path, vault_ids: Sequence[str] = ()) -> tuple[str, str]:
    """Run `pgbackrest info` on the backup host; return the host's name and the JSON pgBackRest printed.

    Runs from the repository root so that ansible.cfg (and its lab vault identity) applies.
    """
    argv = ansible_argv(inventory, vault_ids)
    result = run(argv, check=False, env=ansible_env(os.environ), cwd=root, timeout=TIMEOUT)
    if "{" not in result.stdout:
        reason = _last_line(result.stderr) or _last_line(result.stdout) or "no output"
        raise MedopsError(f"{shlex.join(argv)} failed (exit {result.returncode}): {reason}")
    return stdout_from_ansible_json(result.stdout)
