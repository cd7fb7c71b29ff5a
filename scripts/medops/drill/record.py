"""Drill records: one JSON file per disaster-recovery drill (or real incident) of a system.

`playbooks/dr-rebuild.yml` opens the record `<records>/drills/<system>-<YYYYMMDDTHHMMSSZ>.json` (the UTC
time the rebuild started) and fills its `rebuild` part; `playbooks/dr-failback.yml` later fills `failback`
in the same file. A rebuild that was refused writes a record of its own with outcome `refused`. The schema
("medops.drill/1") is documented field by field in records/README.md; in short:

    {"schema": "medops.drill/1", "id": "qcis-20261122T020000Z", "system": "qcis", "environment": "lab",
     "drill": true, "failed_at": "2026-11-22T01:59:30Z" | null,
     "objective": {"rto_hours": 8, "rpo_minutes": 15, "archive_timeout_seconds": 900,
                   "database_size_gb": 350},
     "hosts": {"primary": "qcis-db1", "spare": "spare1", "repository": "backup1", "app": ["qcis-app1"]},
     "rebuild": {"who", "started", "finished", "seconds", "outcome", "failure", "refusals", "target",
                 "phases": [{"name", "started", "finished", "seconds"}], "serving_at",
                 "rto": {"from", "seconds", "budget_seconds", "met"},
                 "rpo": {"newest_heartbeat", "heartbeat_source", "seconds", "objective_seconds", "met"},
                 "restore": {"backup_label", "backup_type", "backup_stop", "bytes", "seconds",
                             "bytes_per_second", "process_max",
                             "wal": {"start_lsn", "end_lsn", "bytes", "segments", "archive_max", "timeline",
                                     "replay_seconds", "reached_archive_end"}},
                 "release": {"version", "source"}, "verification": {...}, "projection": {...}},
     "failback": null | {"who", "started", "finished", "seconds", "outcome", "failure", "refusals",
                         "phases", "downtime": {...}, "temporary_period": {...}, "final_wal": {...},
                         "restore": {...}, "checksums": {"equal", "tables": [...]}, "backup": "..."}}

Parsing is strict about what the report shows and lenient about the rest: a missing or mistyped field the
report needs raises RecordError naming it (`rebuild.phases[2].seconds`); fields it does not know are kept
in `raw` and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

KIND = "medops.drill/1"
SUBDIR = "drills"
OUTCOMES = ("success", "failed", "refused", "running")


class RecordError(ValueError):
    """A drill record that does not follow the schema; the message names the field."""


class _Field:
    """A value of the record with its path, for messages that name the field at fault."""

    def __init__(self, value: object, path: str) -> None:
        self.value = value
        self.path = path

    def __getitem__(self, key: str) -> _Field:
        if not isinstance(self.value, Mapping):
            raise RecordError(f"{self.path or 'the record'} is not an object")
        if key not in self.value:
            raise RecordError(f"{self._join(key)} is missing")
        return _Field(self.value[key], self._join(key))

    def get(self, key: str) -> _Field:
        """The field, or a null one when it is missing (optional fields)."""
        if not isinstance(self.value, Mapping):
            raise RecordError(f"{self.path or 'the record'} is not an object")
        return _Field(self.value.get(key), self._join(key))

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    @property
    def null(self) -> bool:
        return self.value is None

    def items(self) -> list[_Field]:
        if not isinstance(self.value, list):
            raise RecordError(f"{self.path} is {self.value!r}; expected a list")
        return [_Field(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise RecordError(f"{self.path} is {self.value!r}; expected text")
        return self.value

    def number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise RecordError(f"{self.path} is {self.value!r}; expected a number")
        if self.value < 0:
            raise RecordError(f"{self.path} is {self.value}; expected 0 or more")
        return float(self.value)

    def whole(self) -> int:
        number = self.number()
        if number != int(number):
            raise RecordError(f"{self.path} is {self.value!r}; expected a whole number")
        return int(number)

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise RecordError(f"{self.path} is {self.value!r}; expected true or false")
        return self.value

    def moment(self) -> datetime:
        text = self.text()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise RecordError(f"{self.path} {text!r} is not an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise RecordError(f"{self.path} {text!r} has no UTC offset (write Z or +08:00)")
        return moment

    def optional_number(self) -> float | None:
        return None if self.null else self.number()

    def optional_moment(self) -> datetime | None:
        return None if self.null or self.value == "" else self.moment()

    def optional_flag(self) -> bool | None:
        return None if self.null else self.flag()

    def optional_text(self) -> str:
        """Text, or "" when the field is missing or null."""
        return "" if self.null else self.text()

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items()) if not self.null else ()


@dataclass(frozen=True)
class Phase:
    name: str  # checks, base, postgresql, pgbackrest, restore, recovery, app, nginx, verify, ...
    started: datetime
    finished: datetime
    seconds: float


@dataclass(frozen=True)
class Wal:
    start_lsn: str  # where replay started (the backup's start)
    end_lsn: str  # where recovery ended (the new timeline's switch point)
    bytes: int  # WAL replayed
    segments: int
    archive_max: str  # the repository's newest WAL segment when the restore started
    timeline: int  # the timeline the promoted server runs on
    replay_seconds: float  # server start until promoted
    reached_archive_end: bool | None  # recovery replayed up to the newest archived segment


@dataclass(frozen=True)
class Restore:
    backup_label: str
    backup_type: str  # full, diff, incr
    backup_stop: datetime | None
    bytes: int  # database size of the backup restored
    seconds: float  # the pgbackrest restore command
    bytes_per_second: float
    process_max: int
    wal: Wal


@dataclass(frozen=True)
class Projection:
    database_size_gb: float
    restore_seconds: float  # restoring that size at the measured throughput
    total_seconds: float  # the rebuild with that restore instead of the measured one
    budget_seconds: float
    within_rto: bool
    measured_share: float  # restored bytes / projected bytes (the review projects from 10 % up)
    basis: str


@dataclass(frozen=True)
class RowCount:
    database: str
    table: str
    known: int | None  # the last value known (restore-test record), None when the table is new
    restored: int | None  # None when the table is missing after the restore


@dataclass(frozen=True)
class Checksum:
    database: str
    table: str
    rows: int
    spare: str
    primary: str

    @property
    def equal(self) -> bool:
        return self.spare == self.primary


@dataclass(frozen=True)
class Rebuild:
    who: str
    started: datetime
    finished: datetime | None
    seconds: float | None
    outcome: str
    failure: str
    refusals: tuple[str, ...]
    target_type: str  # latest, time, name
    target_value: str
    phases: tuple[Phase, ...]
    serving_at: datetime | None
    rto_from: str  # failure | rebuild
    rto_seconds: float | None
    rto_met: bool | None
    newest_heartbeat: datetime | None
    heartbeat_source: str
    rpo_seconds: float | None
    rpo_met: bool | None
    restore: Restore | None
    release: str
    release_source: str
    health: Mapping[str, Any]
    rows_known_from: str
    rows_exact: bool
    rows: tuple[RowCount, ...]
    projection: Projection | None


@dataclass(frozen=True)
class Failback:
    who: str
    started: datetime
    finished: datetime | None
    seconds: float | None
    outcome: str
    failure: str
    refusals: tuple[str, ...]
    phases: tuple[Phase, ...]
    downtime_from: datetime | None
    downtime_to: datetime | None
    downtime_seconds: float | None
    temporary_from: datetime | None
    temporary_to: datetime | None
    temporary_beats: int | None  # heartbeats the temporary environment committed
    final_segment: str
    final_lsn: str
    restore: Restore | None
    checksums: tuple[Checksum, ...]
    backup: str  # the backup started after the fail-back, e.g. pgbackrest-qcis-full.service

    @property
    def checksums_equal(self) -> bool | None:
        return all(c.equal for c in self.checksums) if self.checksums else None


@dataclass(frozen=True)
class Drill:
    id: str
    system: str
    environment: str
    drill: bool  # a drill (true) or a real incident
    failed_at: datetime | None
    rto_hours: float
    rpo_minutes: float
    archive_timeout_seconds: float | None
    database_size_gb: float
    hosts: Mapping[str, Any]
    rebuild: Rebuild
    failback: Failback | None
    source: str  # the record's path relative to the records folder
    raw: Mapping[str, Any]

    @property
    def budget_seconds(self) -> float:
        return self.rto_hours * 3600

    @property
    def rpo_objective_seconds(self) -> float:
        return self.rpo_minutes * 60


def _phases(field: _Field) -> tuple[Phase, ...]:
    phases = []
    for item in field.items():
        phases.append(
            Phase(
                item["name"].text(),
                item["started"].moment(),
                item["finished"].moment(),
                item["seconds"].number(),
            )
        )
    return tuple(phases)


def _restore(field: _Field) -> Restore | None:
    if field.null:
        return None
    wal = field["wal"]
    return Restore(
        backup_label=field["backup_label"].text(),
        backup_type=field.get("backup_type").optional_text(),
        backup_stop=field.get("backup_stop").optional_moment(),
        bytes=field["bytes"].whole(),
        seconds=field["seconds"].number(),
        bytes_per_second=field["bytes_per_second"].number(),
        process_max=field["process_max"].whole(),
        wal=Wal(
            start_lsn=wal["start_lsn"].text(),
            end_lsn=wal["end_lsn"].text(),
            bytes=wal["bytes"].whole(),
            segments=wal["segments"].whole(),
            archive_max=wal.get("archive_max").optional_text(),
            timeline=wal["timeline"].whole(),
            replay_seconds=wal["replay_seconds"].number(),
            reached_archive_end=wal.get("reached_archive_end").optional_flag(),
        ),
    )


def _outcome(field: _Field) -> str:
    outcome = field.text()
    if outcome not in OUTCOMES:
        raise RecordError(f"{field.path} is {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    return outcome


def _rows(verification: _Field) -> tuple[str, bool, tuple[RowCount, ...]]:
    rows = verification.get("row_counts")
    if rows.null:
        return "", False, ()
    counts = []
    tables = rows["tables"]
    if not isinstance(tables.value, Mapping):
        raise RecordError(f"{tables.path} is not an object of databases")
    for database, by_table in sorted(tables.value.items()):
        if not isinstance(by_table, Mapping):
            raise RecordError(f"{tables.path}.{database} is not an object of tables")
        for table, pair in sorted(by_table.items()):
            entry = _Field(pair, f"{tables.path}.{database}.{table}")
            known, restored = entry.get("known"), entry.get("restored")
            counts.append(
                RowCount(
                    str(database),
                    str(table),
                    None if known.null else known.whole(),
                    None if restored.null else restored.whole(),
                )
            )
    source = rows.get("known_from").value
    return str(source or ""), bool(rows.get("exact").value), tuple(counts)


def _projection(field: _Field) -> Projection | None:
    if field.null:
        return None
    return Projection(
        database_size_gb=field["database_size_gb"].number(),
        restore_seconds=field["restore_seconds"].number(),
        total_seconds=field["total_seconds"].number(),
        budget_seconds=field["budget_seconds"].number(),
        within_rto=field["within_rto"].flag(),
        measured_share=field["measured_share"].number(),
        basis=field.get("basis").optional_text(),
    )


def _rebuild(field: _Field) -> Rebuild:
    rto, rpo = field.get("rto"), field.get("rpo")
    release = field.get("release")
    verification = field.get("verification")
    known_from, exact, rows = _rows(verification) if not verification.null else ("", False, ())
    target = field.get("target")
    health = verification.get("health").value if not verification.null else None
    return Rebuild(
        who=field["who"].text(),
        started=field["started"].moment(),
        finished=field.get("finished").optional_moment(),
        seconds=field.get("seconds").optional_number(),
        outcome=_outcome(field["outcome"]),
        failure=str(field.get("failure").value or ""),
        refusals=field.get("refusals").texts(),
        target_type=str(target.get("type").value or "latest") if not target.null else "latest",
        target_value=str(target.get("value").value or "") if not target.null else "",
        phases=_phases(field["phases"]),
        serving_at=field.get("serving_at").optional_moment(),
        rto_from=str(rto.get("from").value or "rebuild") if not rto.null else "rebuild",
        rto_seconds=rto.get("seconds").optional_number() if not rto.null else None,
        rto_met=rto.get("met").optional_flag() if not rto.null else None,
        newest_heartbeat=rpo.get("newest_heartbeat").optional_moment() if not rpo.null else None,
        heartbeat_source=str(rpo.get("heartbeat_source").value or "") if not rpo.null else "",
        rpo_seconds=rpo.get("seconds").optional_number() if not rpo.null else None,
        rpo_met=rpo.get("met").optional_flag() if not rpo.null else None,
        restore=_restore(field.get("restore")),
        release=str(release.get("version").value or "") if not release.null else "",
        release_source=str(release.get("source").value or "") if not release.null else "",
        health=health if isinstance(health, Mapping) else {},
        rows_known_from=known_from,
        rows_exact=exact,
        rows=rows,
        projection=_projection(field.get("projection")),
    )


def _checksums(field: _Field) -> tuple[Checksum, ...]:
    if field.null:
        return ()
    return tuple(
        Checksum(
            item["database"].text(),
            item["table"].text(),
            item["rows"].whole(),
            item["spare"].text(),
            item["primary"].text(),
        )
        for item in field["tables"].items()
    )


def _failback(field: _Field) -> Failback | None:
    if field.null:
        return None
    downtime, temporary, final = field.get("downtime"), field.get("temporary_period"), field.get("final_wal")
    beats = None if temporary.null else temporary.get("heartbeats")
    return Failback(
        who=field["who"].text(),
        started=field["started"].moment(),
        finished=field.get("finished").optional_moment(),
        seconds=field.get("seconds").optional_number(),
        outcome=_outcome(field["outcome"]),
        failure=str(field.get("failure").value or ""),
        refusals=field.get("refusals").texts(),
        phases=_phases(field["phases"]),
        downtime_from=None if downtime.null else downtime.get("from").optional_moment(),
        downtime_to=None if downtime.null else downtime.get("to").optional_moment(),
        downtime_seconds=None if downtime.null else downtime.get("seconds").optional_number(),
        temporary_from=None if temporary.null else temporary.get("from").optional_moment(),
        temporary_to=None if temporary.null else temporary.get("to").optional_moment(),
        temporary_beats=None if beats is None or beats.null else beats.whole(),
        final_segment=str(final.get("segment").value or "") if not final.null else "",
        final_lsn=str(final.get("lsn").value or "") if not final.null else "",
        restore=_restore(field.get("restore")),
        checksums=_checksums(field.get("checksums")),
        backup=str(field.get("backup").value or ""),
    )


def parse_drill(text: str, source: str) -> Drill:
    """Parse one record; raise RecordError naming the field that breaks the schema."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not JSON: {exc}") from None
    root = _Field(data, "")
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    if data.get("schema") != KIND:
        raise RecordError(f"schema is {data.get('schema')!r}; expected {KIND!r}")
    objective = root["objective"]
    hosts = root["hosts"].value
    archive_timeout = objective.get("archive_timeout_seconds")
    return Drill(
        id=root["id"].text(),
        system=root["system"].text(),
        environment=root["environment"].text(),
        drill=root["drill"].flag(),
        failed_at=root.get("failed_at").optional_moment(),
        rto_hours=objective["rto_hours"].number(),
        rpo_minutes=objective["rpo_minutes"].number(),
        archive_timeout_seconds=archive_timeout.optional_number(),
        database_size_gb=objective["database_size_gb"].number(),
        hosts=hosts if isinstance(hosts, Mapping) else {},
        rebuild=_rebuild(root["rebuild"]),
        failback=_failback(root.get("failback")),
        source=source,
        raw=data,
    )


@dataclass(frozen=True)
class DrillRecords:
    """Every readable record, oldest first, and a line for each record that could not be used."""

    drills: tuple[Drill, ...]
    problems: tuple[str, ...]

    def find(self, wanted: str) -> Drill:
        """The record with this id, or the newest of this system; LookupError when there is none."""
        matches = [d for d in self.drills if wanted in (d.id, d.system)]
        if not matches:
            known = ", ".join(d.id for d in self.drills) or "none"
            raise LookupError(f"no drill record {wanted!r} (known: {known})")
        return matches[-1]


def load_drills(records: Path) -> DrillRecords:
    """Read `<records>/drills/*.json`; a missing folder means no drills yet."""
    folder = records / SUBDIR
    drills: list[Drill] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        name = f"{SUBDIR}/{path.name}"
        try:
            drills.append(parse_drill(path.read_text(encoding="utf-8"), name))
        except (OSError, UnicodeDecodeError, RecordError) as exc:
            problems.append(f"{name}: {exc}")
    return DrillRecords(tuple(sorted(drills, key=lambda d: d.rebuild.started)), tuple(problems))


def phase_offsets(phases: Sequence[Phase], origin: datetime) -> list[tuple[Phase, float]]:
    """Each phase with its start in seconds after `origin` (the failure, or the rebuild's start)."""
    return [(p, (p.started - origin).total_seconds()) for p in phases]
