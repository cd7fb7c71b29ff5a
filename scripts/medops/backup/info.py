"""`pgbackrest --output=json info` as data (pure functions; the collector lives in collect.py).

The JSON is an array of stanzas, in the shape pgBackRest 2.5x prints (abridged):

    [{"name": "qcis", "cipher": "aes-256-cbc",
      "status": {"code": 0, "message": "ok", "lock": {"backup": {"held": false}, "restore": {"held": false}}},
      "repo": [{"key": 1, "cipher": "aes-256-cbc", "status": {"code": 0, "message": "ok"}}],
      "db": [{"id": 1, "repo-key": 1, "system-id": 7…, "version": "16"}],
      "archive": [{"id": "16-1", "database": {"id": 1, "repo-key": 1}, "min": "0000…", "max": "0000…"}],
      "backup": [{"label": "20261122-010002F", "type": "full", "prior": null, "reference": null,
                  "timestamp": {"start": 1795280402, "stop": 1795282345},
                  "archive": {"start": "0000…", "stop": "0000…"}, "lsn": {"start": "…", "stop": "…"},
                  "info": {"size": …, "delta": …, "repository": {"size": …, "delta": …}},
                  "database": {"id": 1, "repo-key": 1}, "error": false, "backrest": {…}}]}]

Status codes: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, 4 different across
repos, 5 database mismatch across repos, 6 requested backup not found, 99 other (the repo's own status then
holds the real error). Keys this module does not use are ignored, so newer versions still parse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from medops.errors import MedopsError

BACKUP_TYPES = ("full", "diff", "incr")
STATUS_OK = 0
STATUS_NO_BACKUP = 2


@dataclass(frozen=True)
class Backup:
    """One backup set in the repository."""

    label: str
    type: str  # full | diff | incr
    start: datetime  # UTC
    stop: datetime  # UTC
    database_size: int  # info.size: the database as of this backup
    database_delta: int  # info.delta: what this backup read from the database
    repo_size: int  # info.repository.size: the whole backup set as stored (compressed, encrypted)
    repo_delta: int  # info.repository.delta: what this backup added to the repository
    wal_start: str | None  # archive.start: first WAL segment the backup needs (None: offline backup)
    wal_stop: str | None
    database_id: int | None
    prior: str | None
    error: bool  # pgBackRest found errors (such as page checksum errors) while copying

    @property
    def duration(self) -> timedelta:
        return self.stop - self.start


@dataclass(frozen=True)
class WalRange:
    """The WAL segments kept in the archive for one database (one `archive` entry)."""

    archive_id: str  # e.g. "16-1": PostgreSQL version and database id
    database_id: int | None
    min: str | None
    max: str | None


@dataclass(frozen=True)
class Stanza:
    """One stanza of the repository as `pgbackrest info` reports it."""

    name: str
    status_code: int
    status_message: str
    repo_messages: tuple[str, ...]  # each repository's status message when it is not ok
    cipher: str
    backup_running: bool
    backups: tuple[Backup, ...]  # oldest first
    archives: tuple[WalRange, ...]

    @property
    def ok(self) -> bool:
        return self.status_code == STATUS_OK

    @property
    def status_text(self) -> str:
        """The status message, with the repositories' own messages when pgBackRest says only "other"."""
        detail = [m for m in self.repo_messages if m != self.status_message]
        return "; ".join([self.status_message, *detail]) if detail else self.status_message

    def of_type(self, backup_type: str) -> tuple[Backup, ...]:
        return tuple(b for b in self.backups if b.type == backup_type)

    def newest(self, backup_type: str) -> Backup | None:
        found = self.of_type(backup_type)
        return max(found, key=lambda b: b.stop) if found else None


@dataclass(frozen=True)
class WalGap:
    """A backup whose WAL lies outside the archived range: it cannot be made consistent."""

    label: str
    wal: str  # the backup's WAL start (or stop) that falls outside
    edge: str  # "start" (older than archive min) | "stop" (newer than archive max) | "missing" (no archive)
    archive_min: str | None
    archive_max: str | None


@dataclass(frozen=True)
class WalContinuity:
    """Whether every backup's WAL start..stop lies inside the archive and the stanza is healthy."""

    ok: bool
    status_ok: bool
    gaps: tuple[WalGap, ...]
    min: str | None  # over every archive entry of the stanza
    max: str | None


@dataclass(frozen=True)
class NewestBackup:
    """The newest backup of one type, measured at a moment."""

    backup: Backup
    age: timedelta


@dataclass(frozen=True)
class StanzaSummary:
    """What a person asks of a stanza: the newest backup of each type, counts, WAL range and continuity."""

    stanza: Stanza
    newest: Mapping[str, NewestBackup]  # by type; a type without backups is absent
    counts: Mapping[str, int]  # by type, every type present (0 when none)
    wal: WalContinuity


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise MedopsError(f"pgbackrest info: {where}: {key} is missing")
    return data[key]


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MedopsError(f"pgbackrest info: {where} is not an object")
    return value


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MedopsError(f"pgbackrest info: {where} is {value!r}, not a whole number")
    return value


def _optional_text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MedopsError(f"pgbackrest info: {where} is {value!r}, not text")
    return value


def _epoch(value: object, where: str) -> datetime:
    return datetime.fromtimestamp(_int(value, where), tz=UTC)


def _backup(raw: object, where: str) -> Backup:
    data = _mapping(raw, where)
    label = _optional_text(_require(data, "label", where), f"{where}.label") or ""
    where = f"{where} ({label})"
    backup_type = _require(data, "type", where)
    if backup_type not in BACKUP_TYPES:
        raise MedopsError(f"pgbackrest info: {where}: type {backup_type!r} is not one of {BACKUP_TYPES}")
    timestamp = _mapping(_require(data, "timestamp", where), f"{where}.timestamp")
    info = _mapping(_require(data, "info", where), f"{where}.info")
    repository = _mapping(_require(info, "repository", f"{where}.info"), f"{where}.info.repository")
    archive = _mapping(data.get("archive") or {}, f"{where}.archive")
    database = _mapping(data.get("database") or {}, f"{where}.database")
    database_id = database.get("id")
    return Backup(
        label=label,
        type=str(backup_type),
        start=_epoch(_require(timestamp, "start", f"{where}.timestamp"), f"{where}.timestamp.start"),
        stop=_epoch(_require(timestamp, "stop", f"{where}.timestamp"), f"{where}.timestamp.stop"),
        database_size=_int(_require(info, "size", f"{where}.info"), f"{where}.info.size"),
        database_delta=_int(_require(info, "delta", f"{where}.info"), f"{where}.info.delta"),
        repo_size=_int(_require(repository, "size", f"{where}.info.repository"), f"{where}.repository.size"),
        repo_delta=_int(
            _require(repository, "delta", f"{where}.info.repository"), f"{where}.repository.delta"
        ),
        wal_start=_optional_text(archive.get("start"), f"{where}.archive.start"),
        wal_stop=_optional_text(archive.get("stop"), f"{where}.archive.stop"),
        database_id=None if database_id is None else _int(database_id, f"{where}.database.id"),
        prior=_optional_text(data.get("prior"), f"{where}.prior"),
        error=bool(data.get("error", False)),
    )


def _archive(raw: object, where: str) -> WalRange:
    data = _mapping(raw, where)
    database = _mapping(data.get("database") or {}, f"{where}.database")
    database_id = database.get("id")
    return WalRange(
        archive_id=str(data.get("id", "")),
        database_id=None if database_id is None else _int(database_id, f"{where}.database.id"),
        min=_optional_text(data.get("min"), f"{where}.min"),
        max=_optional_text(data.get("max"), f"{where}.max"),
    )


def _stanza(raw: object, index: int) -> Stanza:
    data = _mapping(raw, f"stanza [{index}]")
    name = _optional_text(_require(data, "name", f"stanza [{index}]"), f"stanza [{index}].name") or ""
    where = f"stanza {name}"
    status = _mapping(_require(data, "status", where), f"{where}.status")
    lock = _mapping(status.get("lock") or {}, f"{where}.status.lock")
    backup_lock = _mapping(lock.get("backup") or {}, f"{where}.status.lock.backup")
    repo_messages: list[str] = []
    for position, repo in enumerate(data.get("repo") or []):
        repo_status = _mapping(_mapping(repo, f"{where}.repo[{position}]").get("status") or {}, where)
        if repo_status.get("code", STATUS_OK) != STATUS_OK:
            repo_messages.append(str(repo_status.get("message", "")))
    backups = [_backup(b, f"{where}.backup[{n}]") for n, b in enumerate(data.get("backup") or [])]
    archives = [_archive(a, f"{where}.archive[{n}]") for n, a in enumerate(data.get("archive") or [])]
    return Stanza(
        name=name,
        status_code=_int(_require(status, "code", f"{where}.status"), f"{where}.status.code"),
        status_message=str(status.get("message", "")),
        repo_messages=tuple(repo_messages),
        cipher=str(data.get("cipher", "")),
        backup_running=bool(backup_lock.get("held", False)),
        backups=tuple(sorted(backups, key=lambda b: (b.start, b.label))),
        archives=tuple(archives),
    )


def parse_info(text: str) -> tuple[Stanza, ...]:
    """Parse `pgbackrest --output=json info`; raise MedopsError naming the field when the shape is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MedopsError(f"pgbackrest info output is not JSON: {exc}") from None
    if not isinstance(data, list):
        raise MedopsError("pgbackrest info output is not a list of stanzas")
    return tuple(_stanza(item, index) for index, item in enumerate(data))


def _wal_after(first: str, second: str) -> bool:
    """WAL segment names (timeline, log, segment in hex) order as upper-case text."""
    return first.upper() > second.upper()


def wal_continuity(stanza: Stanza) -> WalContinuity:
    """Check that every backup's WAL start and stop lie within its database's archived min..max."""
    by_database = {a.database_id: a for a in stanza.archives}
    gaps: list[WalGap] = []
    for backup in stanza.backups:
        if backup.wal_start is None or backup.wal_stop is None:
            continue  # offline backup: consistent without WAL
        archive = by_database.get(backup.database_id) or (stanza.archives[-1] if stanza.archives else None)
        if archive is None or archive.min is None or archive.max is None:
            gaps.append(WalGap(backup.label, backup.wal_start, "missing", None, None))
        elif _wal_after(archive.min, backup.wal_start):
            gaps.append(WalGap(backup.label, backup.wal_start, "start", archive.min, archive.max))
        elif _wal_after(backup.wal_stop, archive.max):
            gaps.append(WalGap(backup.label, backup.wal_stop, "stop", archive.min, archive.max))
    mins = [a.min for a in stanza.archives if a.min]
    maxes = [a.max for a in stanza.archives if a.max]
    return WalContinuity(
        ok=stanza.ok and not gaps,
        status_ok=stanza.ok,
        gaps=tuple(gaps),
        min=min(mins, key=str.upper) if mins else None,
        max=max(maxes, key=str.upper) if maxes else None,
    )


def summarize_stanza(stanza: Stanza, as_of: datetime) -> StanzaSummary:
    """The newest backup of each type with its age at `as_of`, counts per type, and WAL continuity."""
    newest: dict[str, NewestBackup] = {}
    for backup_type in BACKUP_TYPES:
        backup = stanza.newest(backup_type)
        if backup is not None:
            newest[backup_type] = NewestBackup(backup, as_of - backup.stop)
    counts = {t: len(stanza.of_type(t)) for t in BACKUP_TYPES}
    return StanzaSummary(stanza, newest, counts, wal_continuity(stanza))
