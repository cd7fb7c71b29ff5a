"""The inspection record: one JSON file per ISO week, `<records>/inspections/<YYYY>-W<ww>.json`.

The record is the evidence of the contract's weekly inspection; it is committed to the repository with the
other records (records/README.md). Its shape (schema 1) is documented field by field in
docs/runbooks/weekly-inspection.md ("The record"):

    {"record": "medops.inspection", "schema": 1, "week": "2026-W47", "environment": "lab",
     "inventory": [...], "limit": null, "started_at": ..., "finished_at": ..., "elapsed_seconds": 4.1,
     "medops_version": "0.1.0", "severity": "warning", "counts": {...},
     "hosts": [{"name", "groups", "address", "connection", "reachable", "error", "collected_at", "seconds",
                "status", "data": {...measured...}, "thresholds": {...}, "findings": [...]}],
     "earlier_runs": [ ...every earlier run of the same week, oldest first, each without its own... ]}

A second run in the same week becomes the week's record and keeps the first in `earlier_runs`; a run
limited to some hosts (--limit) replaces only those hosts' entries. A written record is never lost: an
existing file that cannot be read is refused, not overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medops.backup.review import Severity
from medops.errors import MedopsError
from medops.inspect.collect import Collected
from medops.inspect.evaluate import Assessment, Finding, Service, boot_time
from medops.inspect.parse import HostData
from medops.inspect.thresholds import Thresholds
from medops.inspect.weeks import IsoWeek, parse_week
from medops.paths import write_atomic
from medops.report.messages import msg_data, msg_from_data

KIND = "medops.inspection"
SCHEMA = 1
SUBDIR = "inspections"
STATUSES = ("ok", "warning", "critical", "unreachable")
SECURITY_LISTED = 50


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "check": finding.check,
        "subject": finding.subject,
        "severity": finding.severity.value,
        "skipped": finding.skipped,
        "value": finding.value,
        "measured": msg_data(finding.measured),
        "threshold": msg_data(finding.threshold),
        "recommendation": msg_data(finding.recommendation),
    }


def finding_from_data(data: Mapping[str, Any]) -> Finding:
    value = data.get("value")
    return Finding(
        check=str(data["check"]),
        subject=str(data.get("subject") or ""),
        severity=Severity(data["severity"]),
        measured=msg_from_data(data["measured"]),
        threshold=msg_from_data(data["threshold"]),
        recommendation=msg_from_data(data["recommendation"]),
        value=float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None,
        skipped=bool(data.get("skipped")),
    )


def _service_data(service: Service) -> dict[str, Any]:
    state = service.state
    return {
        "unit": service.unit,
        "declared_by": service.declared_by,
        "load": state.load if state else "not-found",
        "active": state.active if state else "",
        "sub": state.sub if state else "",
        "unit_file": state.unit_file if state else "",
    }


def host_data(
    data: HostData, services: Sequence[Service], thresholds: Thresholds, since: datetime | None
) -> dict[str, Any]:
    """What was measured on one host, as the record keeps it (numbers as numbers, times in UTC ISO 8601)."""
    meta, cpu, memory, fact = data.meta, data.cpu, data.memory, data.fact
    updates = data.updates
    return {
        "os": (
            {
                "id": meta.os_id,
                "version": meta.os_version,
                "pretty": meta.os_pretty,
                "kernel": meta.kernel,
                "hostname": meta.hostname,
            }
            if meta
            else None
        ),
        "clock": _iso(datetime.fromtimestamp(meta.now, UTC)) if meta else None,
        "uptime_seconds": data.uptime,
        "boot_at": _iso(boot_time(data)),
        "cpu": {"count": cpu.count, "load1": cpu.load1, "load5": cpu.load5, "load15": cpu.load15}
        if cpu
        else None,
        "memory": (
            {
                "total_bytes": memory.total,
                "available_bytes": memory.available,
                "swap_total_bytes": memory.swap_total,
                "swap_free_bytes": memory.swap_free,
            }
            if memory
            else None
        ),
        "mounts": [
            {
                "mountpoint": m.mountpoint,
                "source": m.source,
                "fstype": m.fstype,
                "size_bytes": m.size,
                "used_bytes": m.used,
                "available_bytes": m.available,
                "inodes": m.inodes,
                "inodes_used": m.inodes_used,
                "readonly": m.readonly,
                "ignored": thresholds.ignored(m.mountpoint),
            }
            for m in data.mounts
        ],
        "fact": (
            {
                "environment": fact.environment,
                "roles": {
                    name: {"version": r.version, "applied_at": r.applied_at}
                    for name, r in sorted(fact.roles.items())
                },
                "app": dict(fact.data("app") or {}) or None,
                "last_patched": _iso(fact.last_patched),
                "problem": fact.problem or None,
            }
            if fact
            else None
        ),
        "systemd": data.systemd or None,
        "failed_units": list(data.failed_units),
        "services": [_service_data(s) for s in services],
        "time_sync": (
            {
                "state": data.time_sync.state,
                "offset_seconds": data.time_sync.offset,
                "stratum": data.time_sync.stratum,
                "reference": data.time_sync.reference,
                "leap": data.time_sync.leap,
            }
            if data.time_sync
            else None
        ),
        "reboot_required": {"required": data.reboot.required, "packages": list(data.reboot.packages)},
        "updates": (
            {
                "pending": len(updates.pending),
                "security": len(updates.security),
                "security_packages": [
                    {
                        "package": p.package,
                        "installed": p.installed,
                        "candidate": p.candidate,
                        "origin": p.origin,
                    }
                    for p in updates.security[:SECURITY_LISTED]
                ],
                "error": updates.error or None,
                "package_lists_at": _iso(data.apt_lists_at),
            }
            if updates
            else None
        ),
        "journal": (
            {
                "since": _iso(since),
                "available": data.journal.available,
                "errors": data.journal.total,
                "by_identifier": [[name, count] for name, count in data.journal.by_identifier[:20]],
            }
            if data.journal
            else None
        ),
        "certificates": [
            {
                "path": c.path,
                "index": c.index,
                "subject": c.subject,
                "not_after": _iso(c.not_after),
                "error": c.error or None,
            }
            for c in data.certificates
        ],
        "postgresql": (
            [
                {
                    "cluster": c.id,
                    "port": c.port,
                    "status": c.status,
                    "accepting": c.accepting,
                    "server_version": c.server_version or None,
                    "connections": c.connections,
                    "max_connections": c.max_connections,
                    "reserved_connections": c.reserved_connections,
                    "databases": [{"name": n, "size_bytes": s} for n, s in c.databases],
                    "archiver": (
                        {
                            "mode": c.archiver.mode,
                            "archived_count": c.archiver.archived_count,
                            "last_archived_wal": c.archiver.last_archived_wal or None,
                            "last_archived_at": _iso(c.archiver.last_archived_at),
                            "failed_count": c.archiver.failed_count,
                            "last_failed_wal": c.archiver.last_failed_wal or None,
                            "last_failed_at": _iso(c.archiver.last_failed_at),
                            "stats_reset": _iso(c.archiver.stats_reset),
                        }
                        if c.archiver
                        else None
                    ),
                    "oldest_transactions": [
                        {
                            "pid": t.pid,
                            "user": t.user,
                            "database": t.database,
                            "state": t.state,
                            "age_seconds": t.age_seconds,
                        }
                        for t in c.transactions
                    ],
                    "errors": list(c.errors),
                }
                for c in data.postgresql
            ]
            if data.postgresql is not None
            else None
        ),
        "pgbackrest": (
            {
                "error": data.pgbackrest_error or None,
                "stanzas": [
                    {
                        "name": s.name,
                        "status": {"code": s.status_code, "message": s.status_text},
                        "newest": {
                            t: {
                                "label": b.label,
                                "stop": _iso(b.stop),
                                "database_size_bytes": b.database_size,
                            }
                            for t in ("full", "diff", "incr")
                            if (b := s.newest(t)) is not None
                        },
                        "backups": len(s.backups),
                    }
                    for s in data.pgbackrest
                ],
            }
            if data.pgbackrest is not None
            else None
        ),
        "health": (
            {
                "tool": data.health.tool,
                "code": data.health.code,
                "body": dict(data.health.body) if data.health.body else None,
                "error": data.health.error or None,
            }
            if data.health
            else None
        ),
        "problems": list(data.problems),
    }


@dataclass(frozen=True)
class HostResult:
    """One host of this run: how it was reached, what it showed, what was found."""

    collected: Collected
    data: HostData | None
    thresholds: Thresholds
    assessment: Assessment
    since: datetime | None

    @property
    def status(self) -> str:
        if not self.collected.reached and (self.data is None or self.data.meta is None):
            return "unreachable"
        return self.assessment.severity.value


def host_entry(result: HostResult) -> dict[str, Any]:
    target = result.collected.target
    return {
        "name": target.name,
        "groups": list(target.groups),
        "address": target.address,
        "connection": target.connection,
        "reachable": result.status != "unreachable",
        "error": result.collected.error or None,
        "collected_at": _iso(result.collected.started_at),
        "seconds": round(result.collected.seconds, 3),
        "status": result.status,
        "data": (
            host_data(result.data, result.assessment.services, result.thresholds, result.since)
            if result.data is not None and result.data.meta is not None
            else None
        ),
        "thresholds": result.thresholds.as_data(),
        "findings": [finding_data(f) for f in result.assessment.findings],
    }


def counts(hosts: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    statuses = dict.fromkeys(STATUSES, 0)
    findings = {s.value: 0 for s in Severity}
    skipped = 0
    for host in hosts:
        statuses[str(host.get("status"))] = statuses.get(str(host.get("status")), 0) + 1
        for finding in host.get("findings") or []:
            if finding.get("skipped"):
                skipped += 1
            else:
                findings[str(finding.get("severity"))] += 1
    return {"hosts": statuses, "findings": {**findings, "skipped": skipped}}


def overall(hosts: Sequence[Mapping[str, Any]]) -> str:
    """critical when any host is critical or unreachable, else warning when any is, else ok."""
    found = {str(h.get("status")) for h in hosts}
    if found & {"critical", "unreachable"}:
        return "critical"
    return "warning" if "warning" in found else "ok"


def build_record(
    *,
    week: IsoWeek,
    environment: str,
    inventory: Sequence[str],
    limit: str | None,
    started_at: datetime,
    finished_at: datetime,
    medops_version: str,
    results: Sequence[HostResult],
    workers: int,
    timeout: float,
) -> dict[str, Any]:
    hosts = [host_entry(r) for r in results]
    return {
        "record": KIND,
        "schema": SCHEMA,
        "week": str(week),
        "environment": environment,
        "inventory": list(inventory),
        "limit": limit,
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "elapsed_seconds": round((finished_at - started_at).total_seconds(), 2),
        "medops_version": medops_version,
        "run": {"workers": workers, "timeout_seconds": timeout},
        "severity": overall(hosts),
        "counts": counts(hosts),
        "hosts": hosts,
        "earlier_runs": [],
    }


# --- files ----------------------------------------------------------------------------------------------


def record_path(records: Path, week: IsoWeek) -> Path:
    return records / SUBDIR / f"{week}.json"


def check_record(data: object, source: str) -> dict[str, Any]:
    """A record read back; MedopsError naming the file when it is not one this code can read."""
    if not isinstance(data, dict) or data.get("record") != KIND:
        raise MedopsError(f'{source} is not an inspection record (no "record": "{KIND}")')
    if data.get("schema") != SCHEMA:
        raise MedopsError(f"{source} has schema {data.get('schema')!r}; this medops reads schema {SCHEMA}")
    try:
        parse_week(str(data.get("week")))
    except ValueError as exc:
        raise MedopsError(f"{source}: week {exc}") from None
    if not isinstance(data.get("hosts"), list):
        raise MedopsError(f"{source}: hosts is not a list")
    return data


def read_record(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MedopsError(f"cannot read {path.name}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MedopsError(f"{path.name} is not JSON ({exc.msg}, line {exc.lineno})") from None
    return check_record(data, path.name)


def load_records(records: Path, until: IsoWeek | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every readable weekly record (oldest first, up to `until` included), and a line per unreadable one."""
    folder = records / SUBDIR
    found: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*-W*.json")) if folder.is_dir() else []:
        try:
            week = parse_week(path.stem)
        except ValueError:
            continue
        if until is not None and week > until:
            continue
        try:
            record = read_record(path)
        except MedopsError as exc:
            problems.append(str(exc))
            continue
        if record["week"] != str(week):
            problems.append(f"{path.name} holds week {record['week']}")
            continue
        found.append(record)
    return found, problems


def merge(existing: Mapping[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The week's record after this run: the new run, with every earlier run kept in `earlier_runs`.

    A limited run (--limit) keeps the existing record's other hosts, so re-checking one host after a fix
    does not shrink the week's record.
    """
    if existing is None:
        return new
    earlier = list(existing.get("earlier_runs") or [])
    earlier.append({k: v for k, v in existing.items() if k != "earlier_runs"})
    merged = dict(new)
    if new.get("limit"):
        mine = {h["name"] for h in new["hosts"]}
        kept = [
            h for h in existing.get("hosts") or [] if isinstance(h, Mapping) and h.get("name") not in mine
        ]
        merged["hosts"] = sorted([*kept, *new["hosts"]], key=lambda h: str(h["name"]))
        merged["severity"] = overall(merged["hosts"])
        merged["counts"] = counts(merged["hosts"])
    merged["earlier_runs"] = earlier
    return merged


def write_record(records: Path, week: IsoWeek, record: dict[str, Any]) -> tuple[Path, dict[str, Any], bool]:
    """Write (or merge into) the week's record atomically; return its path, what was written, and whether
    an earlier run of the week was kept."""
    path = record_path(records, week)
    existing = read_record(path) if path.exists() else None
    if existing is not None and existing["week"] != str(week):
        raise MedopsError(f"{path.name} holds week {existing['week']}; move it away")
    merged = merge(existing, record)
    write_atomic(path, json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    return path, merged, existing is not None
