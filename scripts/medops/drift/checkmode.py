"""What Ansible would change: playbooks/site.yml in check mode with diffs, read through a callback.

`run_check` runs the playbook with the medops_drift callback (plugins/callback/medops_drift.py), which
writes every task result as JSON to a private temporary file; the file is read, redacted and deleted
before anything else sees it. `parse_results` (pure) turns that JSON into changes grouped by host, role
and task, the blind spots of check mode, and what the run says each host should have (packages, enabled
units, accounts, managed files) for the baseline comparison (medops.drift.baseline).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medops.drift.redact import Redactor
from medops.errors import MedopsError
from medops.runhistory import ara_env, run_link

PLAYBOOK = Path("playbooks/site.yml")
FACT_TASK = "Write the medops local fact"
FILE_ACTIONS = frozenset({"template", "copy", "file", "lineinfile", "blockinfile", "replace", "ini_file"})


@dataclass(frozen=True)
class Diff:
    before_header: str
    after_header: str
    before: str
    after: str
    prepared: str = ""


@dataclass(frozen=True)
class Change:
    """A task that would change something on a host (one per loop item)."""

    host: str
    role: str
    task: str
    action: str
    item: str
    path: str
    diffs: tuple[Diff, ...]
    censored: bool  # no_log: what would change is not shown
    handler: bool = False


@dataclass(frozen=True)
class BlindSpot:
    """A task check mode could not evaluate on a host."""

    host: str
    role: str
    task: str
    reason: str


@dataclass(frozen=True)
class Declared:
    """What the run's tasks say a host should have."""

    packages: frozenset[str] = frozenset()
    enabled: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CheckRun:
    playbook: str
    changes: tuple[Change, ...]
    handlers: tuple[Change, ...]  # handlers the changes would notify: consequences, not drift of their own
    fact_only: tuple[str, ...]  # hosts whose local fact would get only a new version stamp (a newer checkout)
    blind: tuple[BlindSpot, ...]
    failed: Mapping[str, tuple[str, ...]]  # host → what failed (the host's check is incomplete)
    declared: Mapping[str, Declared] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()


def _header(text: str) -> str:
    """A diff header without the control node's temporary folder (a template's rendered copy)."""
    if "/.ansible/tmp/" in text or text.startswith("/tmp/"):  # noqa: S108 - a name in text, no file made
        return f"{Path(text).name} (rendered)"
    return text


def _diffs(entries: object) -> tuple[Diff, ...]:
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, Mapping):
            found.append(
                Diff(
                    _header(str(entry.get("before_header", ""))),
                    _header(str(entry.get("after_header", ""))),
                    str(entry.get("before", "")),
                    str(entry.get("after", "")),
                    str(entry.get("prepared", "")),
                )
            )
    return tuple(found)


def _without_stamps(text: str) -> object:
    """The local fact with every role's version and applied_at removed (None when it is not JSON)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("roles"), dict):
        for entry in data["roles"].values():
            if isinstance(entry, dict):
                entry.pop("version", None)
                entry.pop("applied_at", None)
    return data


def stamp_only(change: Change) -> bool:
    """The local fact would change only in version stamps: the host got an older checkout, nothing else."""
    if change.task != FACT_TASK or not change.diffs:
        return False
    return all(
        _without_stamps(d.before) is not None and _without_stamps(d.before) == _without_stamps(d.after)
        for d in change.diffs
    )


def _short(action: str) -> str:
    return action.rsplit(".", 1)[-1]


@dataclass
class _Parsed:
    changes: list[Change] = field(default_factory=list)
    handlers: list[Change] = field(default_factory=list)
    fact_only: set[str] = field(default_factory=set)
    blind: dict[tuple[str, str, str], BlindSpot] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)
    declared: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)

    def declare(self, host: str, result: Mapping[str, Any]) -> None:
        mine = self.declared.setdefault(host, {k: set() for k in ("packages", "enabled", "users", "files")})
        args = result.get("args")
        for key in ("packages", "enabled", "users"):
            values = args.get(key) if isinstance(args, Mapping) else None
            mine[key].update(str(v) for v in values or [] if v)
        path = str(result.get("path") or "")
        if path and _short(str(result.get("action"))) in FILE_ACTIONS:
            mine["files"].add(path)

    def add(self, result: Mapping[str, Any]) -> None:
        host, role, task = str(result.get("host")), str(result.get("role") or "-"), str(result.get("task"))
        if host not in self.hosts:
            self.hosts.append(host)
        status = str(result.get("status"))
        if status in ("ok", "changed"):
            self.declare(host, result)
        if status in ("failed", "unreachable"):
            self.failed.setdefault(host, []).append(f"{role}: {task}: {result.get('msg') or status}")
        elif status == "skipped":
            when = " ".join(str(w) for w in result.get("when") or [])
            if result.get("check_unsupported") or "ansible_check_mode" in when:
                reason = str(result.get("msg") or "") if result.get("check_unsupported") else f"when: {when}"
                self.blind.setdefault((host, role, task), BlindSpot(host, role, task, reason))
        elif status == "changed":
            change = Change(
                host,
                role,
                task,
                str(result.get("action")),
                str(result.get("item") or ""),
                str(result.get("path") or ""),
                _diffs(result.get("diff")),
                bool(result.get("censored")),
                bool(result.get("handler")),
            )
            if change.handler:
                self.handlers.append(change)
            elif stamp_only(change):
                self.fact_only.add(host)
            else:
                self.changes.append(change)


def parse_results(text: str, redactor: Redactor) -> CheckRun:
    """The callback's JSON (redacted as it is read) → changes, blind spots, failures and declarations."""
    try:
        data = json.loads(redactor.redact(text))
    except json.JSONDecodeError as exc:
        raise MedopsError(f"the drift callback wrote no JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise MedopsError("the drift callback wrote no results")
    parsed = _Parsed()
    for result in data["results"]:
        if isinstance(result, Mapping):
            parsed.add(result)
    return CheckRun(
        playbook=str(data.get("playbook") or PLAYBOOK.name),
        changes=tuple(parsed.changes),
        handlers=tuple(parsed.handlers),
        fact_only=tuple(sorted(parsed.fact_only)),
        blind=tuple(parsed.blind.values()),
        failed={h: tuple(v) for h, v in parsed.failed.items()},
        declared={
            h: Declared(*(frozenset(v[k]) for k in ("packages", "enabled", "users", "files")))
            for h, v in parsed.declared.items()
        },
        hosts=tuple(parsed.hosts),
    )


def check_argv(
    playbook: Path, inventories: Sequence[Path], limit: str | None, vault_ids: Sequence[str]
) -> list[str]:
    argv = ["ansible-playbook", str(playbook), "--check", "--diff"]
    for inventory in inventories:
        argv += ["-i", str(inventory)]
    if limit:
        argv += ["--limit", limit]
    for vault_id in vault_ids:
        argv += ["--vault-id", vault_id]
    return argv


def run_check(
    root: Path,
    inventories: Sequence[Path],
    limit: str | None,
    vault_ids: Sequence[str],
    redactor: Redactor,
    *,
    timeout: float = 3600,
    env: Mapping[str, str] | None = None,
    label: str = "",
) -> tuple[CheckRun, str, str]:
    """Run site.yml in check mode: the parsed run, the last lines of Ansible's own output (redacted), and
    the run in ARA ("" when ARA is not installed). `label` marks the run in ARA."""
    with tempfile.TemporaryDirectory(prefix="medops-drift-") as folder:
        target = Path(folder) / "results.json"
        full_env = dict(os.environ if env is None else env)
        full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", os.defpath)
        full_env["MEDOPS_DRIFT_JSON"] = str(target)
        enabled = [c for c in full_env.get("ANSIBLE_CALLBACKS_ENABLED", "medops_summary").split(",") if c]
        full_env["ANSIBLE_CALLBACKS_ENABLED"] = ",".join(dict.fromkeys([*enabled, "medops_drift"]))
        full_env.pop("MEDOPS_RUN_SUMMARY", None)  # a check run is not the converge the summary describes
        full_env = ara_env(root, full_env, label)
        try:
            result = subprocess.run(
                check_argv(root / PLAYBOOK, inventories, limit, vault_ids),
                capture_output=True,
                text=True,
                cwd=root,
                env=full_env,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            raise MedopsError("ansible-playbook is not installed or not on PATH") from None
        except subprocess.TimeoutExpired:
            raise MedopsError(f"site.yml in check mode did not finish within {timeout:.0f} s") from None
        output = redactor.redact(result.stdout + result.stderr)
        tail = "\n".join(output.strip().splitlines()[-15:])
        if not target.exists():
            raise MedopsError(
                f"site.yml in check mode stopped before its end (exit {result.returncode}): {tail}"
            )
        text = target.read_text(encoding="utf-8")
        target.unlink()
    return parse_results(text, redactor), tail, run_link(full_env, label) if label else ""
