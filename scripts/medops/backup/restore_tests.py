"""Restore-test records: one JSON file per restore test under `<records>/restore-tests/`.

A restore-test playbook writes them; the semiannual review reads them. One record, all fields required
(the schema is documented in docs/backup-policy.md, "Restore-test records"):

    {
      "system": "qcis",                                  # the policy's system (= pgBackRest stanza)
      "started_at": "2026-11-01T03:00:04+08:00",         # ISO 8601 with its UTC offset
      "finished_at": "2026-11-01T03:41:37+08:00",
      "duration_seconds": 2493,                          # restore until the database answered
      "backup_label": "20261025-010002F_20261031-010003D",  # the pgBackRest backup restored
      "size_bytes": 44023414784,                         # database size restored
      "outcome": "passed",                               # passed | failed
      "detail": "restored on spare1; PostgreSQL started; row counts of 17 tables match"
    }

Fields not listed here are ignored, so a later playbook may add some without breaking older readers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SUBDIR = "restore-tests"
OUTCOMES = ("passed", "failed")
FIELDS = (
    "system",
    "started_at",
    "finished_at",
    "duration_seconds",
    "backup_label",
    "size_bytes",
    "outcome",
    "detail",
)
_LABEL = re.compile(r"\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?")


class RecordError(ValueError):
    """A record that does not follow the schema; the message names the field."""


@dataclass(frozen=True)
class RestoreTest:
    """One restore test as recorded."""

    system: str
    started_at: datetime  # timezone-aware
    finished_at: datetime
    duration_seconds: float
    backup_label: str
    size_bytes: int
    outcome: str  # passed | failed
    detail: str
    source: str  # the record's file name

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass(frozen=True)
class RestoreRecords:
    """Every readable record, oldest first, and a line for each record that could not be used."""

    tests: tuple[RestoreTest, ...]
    problems: tuple[str, ...]


def _moment(data: Mapping[str, Any], key: str) -> datetime:
    value = data[key]
    if not isinstance(value, str):
        raise RecordError(f"{key} is {value!r}; expected an ISO 8601 time such as 2026-11-01T03:00:04+08:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{key} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise RecordError(f"{key} {value!r} has no UTC offset (write +08:00 or Z)")
    return moment


def parse_restore_test(text: str, source: str) -> RestoreTest:
    """Parse one record; raise RecordError naming the field that breaks the schema."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise RecordError(f"missing {', '.join(missing)}")
    system = data["system"]
    if not isinstance(system, str) or not system:
        raise RecordError(f"system is {system!r}; expected the system's name")
    started, finished = _moment(data, "started_at"), _moment(data, "finished_at")
    if finished < started:
        raise RecordError("finished_at is before started_at")
    duration = data["duration_seconds"]
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        raise RecordError(f"duration_seconds is {duration!r}; expected a number of seconds, 0 or more")
    label = data["backup_label"]
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise RecordError(f"backup_label is {label!r}; expected a pgBackRest label such as 20261025-010002F")
    size = data["size_bytes"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise RecordError(f"size_bytes is {size!r}; expected a whole number of bytes")
    outcome = data["outcome"]
    if outcome not in OUTCOMES:
        raise RecordError(f"outcome is {outcome!r}; expected passed or failed")
    detail = data["detail"]
    if not isinstance(detail, str):
        raise RecordError(f"detail is {detail!r}; expected text")
    return RestoreTest(system, started, finished, float(duration), label, size, outcome, detail, source)


def load_restore_tests(records: Path) -> RestoreRecords:
    """Read `<records>/restore-tests/*.json`; a missing folder means no tests yet."""
    folder = records / SUBDIR
    tests: list[RestoreTest] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        name = f"{SUBDIR}/{path.name}"
        try:
            tests.append(parse_restore_test(path.read_text(encoding="utf-8"), name))
        except (OSError, UnicodeDecodeError, RecordError) as exc:
            problems.append(f"{name}: {exc}")
    return RestoreRecords(tuple(sorted(tests, key=lambda t: t.started_at)), tuple(problems))
