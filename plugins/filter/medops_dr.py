"""Jinja filters the DR playbooks (dr-rebuild.yml, dr-failback.yml) use to work out a drill record.

Times, WAL positions, the records a rebuild starts from (the last deploy, the last row counts known), the
comparison of row counts and checksums, and the projection to the production size: pure functions of
their inputs, tested in tests/test_dr_filters.py. Like the other filters, nothing here raises on bad
input: a time that cannot be read is None, and `medops_time_problems` names it for an `assert`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

SEGMENT_BYTES = 16 * 2**20  # PostgreSQL's default WAL segment size (initdb --wal-segsize)
_LSN = re.compile(r"^([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})$")
_SEGMENT = re.compile(r"^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$")


def epoch(text: Any) -> float | None:
    """An ISO 8601 time with its UTC offset (Z, +08:00, +08) as epoch seconds; None when it is not one."""
    if not isinstance(text, str) or not _TIME.match(text.strip()):
        return None
    value = text.strip().replace(" ", "T").replace("Z", "+00:00")
    if re.search(r"[+-]\d{2}$", value):
        value += ":00"
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def time_problems(text: Any, variable: str) -> list[str]:
    """One message when `text` is given but is not a time with its UTC offset."""
    if text in (None, ""):
        return []
    if epoch(text) is None:
        return [f"{variable} {text!r} is not a time with its UTC offset, like 2026-11-22T09:59:30+08:00"]
    return []


def utc(seconds: Any) -> str | None:
    """Epoch seconds as an ISO 8601 UTC time with milliseconds: 2026-11-22T01:59:30.250Z."""
    if seconds in (None, ""):
        return None
    moment = datetime.fromtimestamp(float(seconds), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def phases(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Timed phases ({name, t0, t1} in epoch seconds) as the record lists them."""
    return [
        {
            "name": str(e["name"]),
            "started": utc(e["t0"]),
            "finished": utc(e["t1"]),
            "seconds": round(float(e["t1"]) - float(e["t0"]), 1),
        }
        for e in entries
    ]


def merge_phases(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Phases timed on several hosts as one list: a phase that ran on more than one host (the maintenance
    page on the spare and every application host) spans from its first start to its last end; ordered
    by start."""
    merged: dict[str, dict[str, Any]] = {}
    for e in entries:
        name = str(e["name"])
        if name in merged:
            merged[name]["t0"] = min(merged[name]["t0"], float(e["t0"]))
            merged[name]["t1"] = max(merged[name]["t1"], float(e["t1"]))
        else:
            merged[name] = {"name": name, "t0": float(e["t0"]), "t1": float(e["t1"])}
    return sorted(merged.values(), key=lambda p: p["t0"])


def lsn_position(lsn: Any) -> int | None:
    """A WAL position written 0/5000028 as a byte offset."""
    match = _LSN.match(str(lsn or "").strip())
    return (int(match.group(1), 16) << 32) + int(match.group(2), 16) if match else None


def segment_lsn(segment: Any) -> str | None:
    """Where a WAL segment (000000010000000000000009) starts, as an LSN (0/9000000)."""
    match = _SEGMENT.match(str(segment or "").strip().upper())
    if not match:
        return None
    position = int(match.group(1), 16) * (2**32) + int(match.group(2), 16) * SEGMENT_BYTES
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def wal_span(start_lsn: Any, end_lsn: Any, archive_max: Any = "") -> dict[str, Any]:
    """WAL replayed from start to end: bytes, segments touched, and whether the end reached the
    start of the newest archived segment (no committed data of the archive left behind)."""
    start, end = lsn_position(start_lsn), lsn_position(end_lsn)
    newest = lsn_position(segment_lsn(archive_max))
    if start is None or end is None or end < start:
        return {"bytes": 0, "segments": 0, "reached_archive_end": None}
    last = max(end - 1, start)
    return {
        "bytes": end - start,
        "segments": last // SEGMENT_BYTES - start // SEGMENT_BYTES + 1,
        "reached_archive_end": None if newest is None else end >= newest,
    }


def history_switch(history: Any) -> dict[str, Any]:
    """The last line of a timeline history file (`1\t0/9000000\tno recovery target specified`)."""
    lines = [line for line in str(history or "").splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        return {}
    fields = lines[-1].split("\t")
    if len(fields) < 2 or lsn_position(fields[1].strip()) is None:
        return {}
    return {
        "parent_timeline": int(fields[0]),
        "lsn": fields[1].strip(),
        "reason": "\t".join(fields[2:]).strip(),
    }


def last_deploy(records: Sequence[Mapping[str, Any]], system: str) -> dict[str, Any]:
    """The newest successful deploy or rollback of `system` (records carry their `_source`)."""
    done = [
        r
        for r in records
        if r.get("system") == system and r.get("outcome") == "success" and isinstance(r.get("version"), str)
    ]
    if not done:
        return {}
    newest = max(done, key=lambda r: str(r.get("finished") or r.get("started") or ""))
    return {
        "version": newest["version"],
        "source": newest.get("_source", ""),
        "finished": newest.get("finished"),
    }


def last_counts(records: Sequence[Mapping[str, Any]], system: str) -> dict[str, Any]:
    """The row counts of the newest passed restore test of `system` that recorded them."""
    known = [
        r
        for r in records
        if r.get("system") == system
        and r.get("outcome") == "passed"
        and isinstance(r.get("row_counts"), Mapping)
    ]
    if not known:
        return {}
    newest = max(known, key=lambda r: epoch(r.get("started_at")) or 0.0)
    return {
        "source": newest.get("_source", ""),
        "restore_point": newest.get("restore_point", ""),
        "at": newest.get("started_at"),
        "counts": newest["row_counts"],
    }


def row_check(known: Mapping[str, Any], restored: Mapping[str, Any], exact: bool) -> dict[str, Any]:
    """Known and restored row counts side by side, per database and table; `problems` fail the rebuild
    (a table missing; any difference when the counts are of the same restore point), `fewer` only warn
    (rows can be deleted between the count and the failure)."""
    tables: dict[str, dict[str, dict[str, int | None]]] = {}
    problems: list[str] = []
    fewer: list[str] = []
    for database in sorted(set(known) | set(restored)):
        before = known.get(database) or {}
        after = restored.get(database) or {}
        tables[database] = {}
        for table in sorted(set(before) | set(after)):
            was, now = before.get(table), after.get(table)
            tables[database][table] = {"known": was, "restored": now}
            name = f"{database} {table}"
            if was is not None and now is None:
                problems.append(f"{name}: missing after the restore (known {was} rows)")
            elif was is not None and now is not None and now != was:
                if exact:
                    problems.append(f"{name}: {now} rows restored, {was} at the restore point")
                elif now < was:
                    fewer.append(f"{name}: {now} rows restored, {was} known earlier")
    return {"tables": tables, "exact": exact, "problems": problems, "fewer": fewer}


def checksum_tables(spare: Mapping[str, Any], primary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per database and table, the checksums ("<rows>:<sum of row hashes>") of both sides."""
    out = []
    for database in sorted(set(spare) | set(primary)):
        left, right = spare.get(database) or {}, primary.get(database) or {}
        for table in sorted(set(left) | set(right)):
            value = str(left.get(table) or right.get(table) or "0:")
            out.append(
                {
                    "database": database,
                    "table": table,
                    "rows": int(value.split(":", 1)[0] or 0),
                    "spare": str(left.get(table, "missing")),
                    "primary": str(right.get(table, "missing")),
                    "equal": table in left and table in right and str(left[table]) == str(right[table]),
                }
            )
    return out


def projection(
    phase_list: Sequence[Mapping[str, Any]],
    restored_bytes: Any,
    restore_seconds: Any,
    size_gb: Any,
    budget: Any,
) -> dict[str, Any] | None:
    """The rebuild with its restore scaled to `size_gb` GiB at the measured throughput, the other
    phases as measured; None when nothing was restored to measure."""
    done, seconds = float(restored_bytes or 0), float(restore_seconds or 0)
    if done <= 0 or seconds <= 0:
        return None
    target = float(size_gb) * 2**30
    restore = target / (done / seconds)
    measured = sum(float(p["t1"]) - float(p["t0"]) for p in phase_list)
    total = measured - seconds + restore
    return {
        "database_size_gb": float(size_gb),
        "restore_seconds": round(restore, 1),
        "total_seconds": round(total, 1),
        "budget_seconds": float(budget),
        "within_rto": total <= float(budget),
        "measured_share": round(done / target, 6),
        "basis": "",
    }


class FilterModule:
    """Ansible entry point."""

    def filters(self) -> dict[str, Any]:
        return {
            "medops_epoch": epoch,
            "medops_time_problems": time_problems,
            "medops_utc": utc,
            "medops_dr_phases": phases,
            "medops_merge_phases": merge_phases,
            "medops_segment_lsn": segment_lsn,
            "medops_lsn_position": lsn_position,
            "medops_wal_span": wal_span,
            "medops_history_switch": history_switch,
            "medops_last_deploy": last_deploy,
            "medops_last_counts": last_counts,
            "medops_row_check": row_check,
            "medops_checksum_tables": checksum_tables,
            "medops_dr_projection": projection,
        }
