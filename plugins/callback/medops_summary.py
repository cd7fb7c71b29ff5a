"""Ansible callback: a short summary at the end of every playbook run.

Prints hosts, what changed (per host, the changed tasks), failures and the time taken. When
MEDOPS_RUN_SUMMARY names a file, the same summary is written there as JSON for tools.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from ansible import constants
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: medops_summary
type: aggregate
short_description: Short end-of-run summary (hosts, changes, failures, time)
description:
  - Prints which hosts ran, which tasks changed on each and how long the run took.
  - Writes the summary as JSON to $MEDOPS_RUN_SUMMARY when it is set.
requirements: []
"""


class CallbackModule(CallbackBase):  # type: ignore[misc]
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "medops_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._started = time.monotonic()
        self._changed: dict[str, list[str]] = {}
        self._failed: dict[str, list[str]] = {}
        self._playbook = ""

    def v2_playbook_on_start(self, playbook: Any) -> None:
        self._playbook = Path(str(playbook._file_name)).name
        self._started = time.monotonic()

    def _task_name(self, result: Any) -> str:
        return str(result._task.get_name()).strip()

    def v2_runner_on_ok(self, result: Any) -> None:
        if result._result.get("changed", False):
            self._changed.setdefault(result._host.get_name(), []).append(self._task_name(result))

    def v2_runner_item_on_ok(self, result: Any) -> None:
        # Loop items are counted once per task (on the task's own result).
        return

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        if not ignore_errors:
            self._failed.setdefault(result._host.get_name(), []).append(self._task_name(result))

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._failed.setdefault(result._host.get_name(), []).append("unreachable")

    def _quiet(self) -> bool:
        """No summary for ad-hoc commands, nor where another tool parses stdout (json callbacks)."""
        stdout_callback = str(constants.config.get_config_value("DEFAULT_STDOUT_CALLBACK"))
        return not self._playbook or "json" in stdout_callback

    def v2_playbook_on_stats(self, stats: Any) -> None:
        if self._quiet():
            return
        hosts = sorted(stats.processed.keys())
        elapsed = time.monotonic() - self._started
        minutes, seconds = divmod(round(elapsed), 60)
        changed_total = sum(len(v) for v in self._changed.values())
        self._display.banner("MEDOPS SUMMARY")
        self._display.display(
            f"{self._playbook}: {len(hosts)} hosts, {changed_total} changed tasks, "
            f"{len(self._failed)} hosts failed, {minutes}m{seconds:02d}s"
        )
        for host in hosts:
            changed = self._changed.get(host, [])
            failed = self._failed.get(host, [])
            state = "FAILED" if failed else ("changed" if changed else "ok")
            self._display.display(f"  {host:<24} {state:<8} {len(changed)} changed")
            for task in changed:
                self._display.display(f"      ~ {task}")
            for task in failed:
                self._display.display(f"      ! {task}")
        target = os.environ.get("MEDOPS_RUN_SUMMARY")
        if target:
            summary = {
                "playbook": self._playbook,
                "hosts": hosts,
                "seconds": round(elapsed, 1),
                "changed": self._changed,
                "failed": self._failed,
            }
            with Path(target).open("w", encoding="utf-8") as handle:
                json.dump(summary, handle, indent=2, sort_keys=True)
