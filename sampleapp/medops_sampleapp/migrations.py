"""Migrations as data: discovery, checksums and what to apply. Pure; the database side is migrate_db.

Files are NNNN_name.sql, numbered 1, 2, 3 … without gaps; the schema version is the highest number
applied. An applied migration's file must never change (its SHA-256 is recorded and compared).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = re.compile(r"(\d{4})_([a-z0-9][a-z0-9_]*)\.sql")
# Statements that would end the runner's transaction early (a PL/pgSQL block's BEGIN and END are
# not: BEGIN is not followed by a semicolon or TRANSACTION/WORK, and END is not looked for).
TRANSACTION_CONTROL = re.compile(
    r"^\s*(COMMIT|ROLLBACK|ABORT|START\s+TRANSACTION|BEGIN\s*(;|TRANSACTION|WORK))",
    re.IGNORECASE | re.MULTILINE,
)
BOOKKEEPING = "public.schema_migrations"
LOCK_KEY = 4_242_017_001  # pg_try_advisory_lock key: one migration run per database at a time


class MigrationError(Exception):
    """The run stops; the message is one line naming the migration and what is wrong."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str  # the file name without .sql, e.g. 0001_reports
    sha256: str
    sql: str


@dataclass(frozen=True)
class Applied:
    """A row of schema_migrations."""

    version: int
    name: str
    sha256: str


@dataclass(frozen=True)
class Plan:
    current: int  # schema version before the run
    pending: tuple[Migration, ...]  # to apply, in order
    after: int  # schema version after the run
    not_in_release: tuple[int, ...]  # applied versions this release has no file for (a rollback)


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def parse_migrations(files: Mapping[str, bytes]) -> list[Migration]:
    """Migrations from file name → content: NNNN_name.sql, numbered 1, 2, 3 … without gaps."""
    found: dict[int, Migration] = {}
    for file_name in sorted(files):
        match = FILE_NAME.fullmatch(file_name)
        if match is None:
            raise MigrationError(
                f"{file_name}: not a migration file name (expected NNNN_name.sql, e.g. 0003_add_x.sql)"
            )
        version = int(match.group(1))
        if version == 0:
            raise MigrationError(f"{file_name}: migrations are numbered from 0001")
        if version in found:
            raise MigrationError(f"{file_name}: version {version} is also {found[version].name}.sql")
        content = files[file_name]
        try:
            sql = content.decode("utf-8")
        except UnicodeDecodeError:
            raise MigrationError(f"{file_name}: not UTF-8") from None
        code = _strip_comments(sql)
        if not code.strip():
            raise MigrationError(f"{file_name}: holds no SQL")
        control = TRANSACTION_CONTROL.search(code)
        if control is not None:
            raise MigrationError(
                f"{file_name}: contains {control.group(1).strip()!r}; "
                "the runner wraps each file in a transaction of its own"
            )
        found[version] = Migration(
            version, file_name[: -len(".sql")], hashlib.sha256(content).hexdigest(), sql
        )
    expected = list(range(1, len(found) + 1))
    if sorted(found) != expected:
        missing = sorted(set(range(1, max(found) + 1)) - set(found))
        raise MigrationError(f"migration {missing[0]:04d} is missing (files must be numbered without gaps)")
    return [found[version] for version in expected]


def load_migrations(directory: Path) -> list[Migration]:
    """The migrations in a folder (every *.sql file in it; other files are ignored)."""
    if not directory.is_dir():
        raise MigrationError(f"{directory} is not a folder of migrations")
    try:
        files = {p.name: p.read_bytes() for p in directory.iterdir() if p.suffix == ".sql" and p.is_file()}
    except OSError as exc:
        raise MigrationError(f"cannot read {directory}: {exc.strerror or exc}") from None
    if not files:
        raise MigrationError(f"{directory} holds no migrations (*.sql)")
    return parse_migrations(files)


def plan_migrations(
    migrations: Sequence[Migration], applied: Mapping[int, Applied], target: int | None
) -> Plan:
    """What to apply to reach target (default: the last migration), or MigrationError when nothing may be.

    A migration applied earlier whose file changed since is refused (all are checked, none applied).
    Versions applied in the database but absent here (a release older than the schema) are reported,
    not refused: migrations are additive, so an older release runs on a newer schema.
    """
    changed = [m for m in migrations if m.version in applied and applied[m.version].sha256 != m.sha256]
    if changed:
        first = changed[0]
        raise MigrationError(
            f"migration {first.name} was applied with sha256 {applied[first.version].sha256[:12]}… "
            f"but the file now has {first.sha256[:12]}…"
            + (f" (and {len(changed) - 1} more changed)" if len(changed) > 1 else "")
            + "; an applied migration must not change: restore the file and add a new migration"
        )
    last = migrations[-1].version if migrations else 0
    if target is None:
        target = last
    elif target < 0 or target > last:
        raise MigrationError(f"target {target} is not a migration here (0 to {last})")
    current = max(applied, default=0)
    pending = tuple(m for m in migrations if m.version not in applied and m.version <= target)
    if pending and pending[0].version < current:
        raise MigrationError(
            f"migration {pending[0].name} is not applied but the later {current:04d} is; "
            "the database's history differs from these files"
        )
    return Plan(
        current=current,
        pending=pending,
        after=pending[-1].version if pending else current,
        not_in_release=tuple(sorted(v for v in applied if v > last)),
    )


def result_line(plan: Plan, *, dry_run: bool) -> str:
    """The JSON line the runner prints (applied: what was applied, or would be in a dry run)."""
    return json.dumps(
        {
            "applied": [m.version for m in plan.pending],
            "schema_version": plan.after,
            "dry_run": dry_run,
            "previous_schema_version": plan.current,
            "not_in_release": list(plan.not_in_release),
        }
    )
