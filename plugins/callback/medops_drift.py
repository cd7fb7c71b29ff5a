"""Ansible callback: every task result of a run as JSON, for `medops drift` (check mode with diffs).

Writes one JSON document to $MEDOPS_DRIFT_JSON at the end of the run (nothing when it is unset):

    {"playbook": "site.yml", "check_mode": true, "results": [
        {"host", "play", "role", "task", "action", "handler", "status", "item", "path", "msg",
         "check_unsupported", "when", "args": {"packages" | "enabled" | "users": [...]},
         "diff": [{"before_header", "after_header", "before", "after", "prepared"}], "censored"}]}

`path` is the file a task manages; `args` what the task says the host should have (the packages an apt
task installs, the units a systemd task enables, the accounts a user task creates), as rendered for the
host; `when` the condition Ansible found false for a skipped task.

`status` is ok, changed, skipped, failed or unreachable. `check_unsupported` marks a result that check
mode could not evaluate (a module without check-mode support, or a command that would only run for real).
A task with `no_log` arrives censored from Ansible and is kept censored: its diff and message are dropped.
medops reads the file into memory, redacts every vault value and deletes it (medops.drift.checkmode).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ansible import context
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: medops_drift
type: aggregate
short_description: Every task result with its diff, as JSON, for medops drift
description:
  - Collects each task result (host, role, task, status, diff) of a run.
  - Writes them as JSON to $MEDOPS_DRIFT_JSON at the end of the run.
requirements: []
"""

CHECK_MODE_WORDS = ("check mode", "would have run if not in check mode")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _diffs(result: dict[str, Any]) -> list[dict[str, str]]:
    raw = result.get("diff")
    found = raw if isinstance(raw, list) else ([raw] if isinstance(raw, dict) else [])
    return [
        {
            key: _text(entry.get(key))
            for key in ("before_header", "after_header", "before", "after", "prepared")
            if entry.get(key) not in (None, "")
        }
        for entry in found
        if isinstance(entry, dict)
    ]


def _rendered(*candidates: Any) -> list[str]:
    """The first candidate that is rendered (no Jinja left), as a list of names."""
    for value in candidates:
        names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        names = [str(n) for n in names if n]
        if names and not any("{{" in n or "{%" in n for n in names):
            return names
    return []


def _declares(action: str, args: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """What a task says the host should have: packages, enabled units, accounts (as rendered for the host)."""
    short = action.rsplit(".", 1)[-1]
    if short in ("apt", "package") and args.get("state", "present") in ("present", "latest", "fixed"):
        return {"packages": _rendered(args.get("name"), args.get("pkg"))}
    if short in ("systemd", "systemd_service", "service") and args.get("enabled") in (True, "yes", "true"):
        return {"enabled": _rendered(result.get("name"), args.get("name"))}
    if short == "user" and args.get("state", "present") == "present":
        return {"users": _rendered(result.get("name"), args.get("name"))}
    return {}


class CallbackModule(CallbackBase):  # type: ignore[misc]
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "medops_drift"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._results: list[dict[str, Any]] = []
        self._playbook = ""
        self._play = ""
        self._check = False

    def v2_playbook_on_start(self, playbook: Any) -> None:
        self._playbook = Path(str(playbook._file_name)).name

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self._play = _text(play.get_name()).strip()
        self._check = bool(context.CLIARGS.get("check", False))

    def _add(self, result: Any, status: str) -> None:
        task = result._task
        raw: dict[str, Any] = result._result if isinstance(result._result, dict) else {}
        role = task._role.get_name() if getattr(task, "_role", None) else ""
        name = _text(task.get_name()).strip()
        if role and name.startswith(f"{role} : "):
            name = name[len(role) + 3 :]
        censored = "censored" in raw or bool(task.no_log)
        msg = "" if censored else _text(raw.get("msg") or raw.get("skip_reason"))
        # Ansible names the condition that was false; older results only have the task's conditions.
        when = (
            [str(raw["false_condition"])] if "false_condition" in raw else [str(w) for w in task.when or []]
        )
        when = when if status == "skipped" else []
        unsupported = status == "skipped" and any(w in msg.lower() for w in CHECK_MODE_WORDS)
        label = raw.get("_ansible_item_label", raw.get("item")) if "item" in raw else None
        args = task.args if isinstance(task.args, dict) else {}
        path = raw.get("dest") or raw.get("path") or args.get("dest") or args.get("path")
        self._results.append(
            {
                "host": result._host.get_name(),
                "play": self._play,
                "role": role,
                "task": name,
                "action": _text(task.action),
                "handler": type(task).__name__ == "Handler",
                "status": status,
                "item": None if censored or label is None else _text(label),
                "path": _text(path) if isinstance(path, str) else "",
                "args": {}
                if censored or status not in ("ok", "changed")
                else _declares(task.action, args, raw),
                "msg": msg[:500],
                "check_unsupported": unsupported,
                "when": when,
                "diff": [] if censored else _diffs(raw),
                "censored": censored,
            }
        )

    def v2_runner_on_ok(self, result: Any) -> None:
        changed = bool(result._result.get("changed")) if isinstance(result._result, dict) else False
        if isinstance(result._result, dict) and "results" in result._result:
            return  # a loop's summary: its items were recorded one by one
        self._add(result, "changed" if changed else "ok")

    def v2_runner_item_on_ok(self, result: Any) -> None:
        changed = bool(result._result.get("changed"))
        self._add(result, "changed" if changed else "ok")

    def v2_runner_item_on_failed(self, result: Any) -> None:
        self._add(result, "failed")

    def v2_runner_item_on_skipped(self, result: Any) -> None:
        self._add(result, "skipped")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        if isinstance(result._result, dict) and "results" in result._result:
            return
        self._add(result, "ok" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        if isinstance(result._result, dict) and "results" in result._result:
            return
        self._add(result, "skipped")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._add(result, "unreachable")

    def v2_playbook_on_stats(self, stats: Any) -> None:
        target = os.environ.get("MEDOPS_DRIFT_JSON")
        if not target:
            return
        document = {"playbook": self._playbook, "check_mode": self._check, "results": self._results}
        # Created private: until medops redacts it, it may hold a diff of a task without no_log.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
