"""The configuration inventory's snapshot: every maintained host as it is, one JSON file per run.

`<records>/config-inventory/snapshots/<YYYYMMDDTHHMMSSZ>.json` (schema 1), committed with the other
records: the repository's history makes the series tamper-evident. Built by pure functions from the host
state (medops.drift.state, the same single round trip as `medops drift`) and from the records: backup
policy and reviews, patch records, the last inspection and the last DR drill. No secret is in a snapshot:
accounts carry their password *status*, PostgreSQL only non-default settings (pg_settings has no
passwords), and every text passes the vault redactor before it is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medops.drift.state import HostState, sudo_users
from medops.errors import MedopsError
from medops.paths import read_json_files, write_atomic

KIND = "medops.config-inventory"
SCHEMA = 1
SUBDIR = Path("config-inventory")
SNAPSHOTS = SUBDIR / "snapshots"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def host_entry(
    name: str,
    groups: Sequence[str],
    state: HostState | None,
    error: str,
    context: Mapping[str, Any],
) -> dict[str, Any]:
    """One host of a snapshot. `context` holds what the records say of it (backup, patches, inspection,
    drill), already shaped as data."""
    entry: dict[str, Any] = {
        "name": name,
        "groups": list(groups),
        "reached": state is not None,
        "error": error or None,
    }
    entry.update(context)
    if state is None or state.meta is None:
        return entry
    meta, hardware = state.meta, state.hardware
    fact = state.fact
    sudo = sudo_users(state.sudoers, state.accounts)
    enabled = {u.unit: u.state for u in state.enabled or ()}
    entry.update(
        {
            "hardware": {
                "cpus": int(hardware.get("cpus", "0") or 0),
                "cpu_model": hardware.get("cpu_model", ""),
                "memory_bytes": int(hardware.get("memory_kb", "0") or 0) * 1024,
                "virtualization": hardware.get("virtualization", ""),
                "disks": [
                    {
                        "name": d.get("name", ""),
                        "size_bytes": int(d.get("size", "0") or 0),
                        "type": d.get("type", ""),
                    }
                    for d in state.disks
                    if d.get("type") == "disk"
                ],
            },
            "os": {
                "pretty": meta.os_pretty,
                "id": meta.os_id,
                "version": meta.os_version,
                "kernel": meta.kernel,
            },
            "packages": {
                p.name: p.version for p in sorted((state.packages or {}).values(), key=lambda p: p.name)
            },
            "services": [
                {"unit": s.unit, "active": s.active, "sub": s.sub, "enabled": enabled.get(s.unit, "")}
                for s in sorted(state.services, key=lambda s: s.unit)
                if s.load == "loaded"
            ],
            "enabled_units": sorted(enabled),
            "listeners": [
                {"proto": x.proto, "address": x.address, "port": x.port, "process": x.process}
                for x in state.listeners
            ],
            "accounts": [
                {
                    "name": a.name,
                    "uid": a.uid,
                    "shell": a.shell,
                    "password": a.password,
                    "keys": a.keys,
                    "login": a.login_capable,
                    "sudo": a.name in sudo,
                    "groups": list(a.groups),
                }
                for a in sorted(state.accounts.values(), key=lambda a: a.uid)
                if a.uid == 0 or a.uid >= 1000 or a.interactive or a.name in sudo
            ],
            "sudo_rules": [f"{r.file}: {r.text}" for r in state.sudoers],
            "firewall": state.firewall,
            "postgresql": {
                cluster: {name: f"{value}{unit}" for name, value, unit, _ in rows}
                for cluster, rows in state.pg_settings.items()
            },
            "certificates": [
                {"path": c.path, "index": c.index, "subject": c.subject, "not_after": _iso(c.not_after)}
                for c in state.certificates
            ],
            "roles": (
                {
                    role: {"version": r.version, "applied_at": r.applied_at, "data": dict(r.data)}
                    for role, r in sorted(fact.roles.items())
                }
                if fact
                else {}
            ),
            "app_release": str((fact.data("app") or {}).get("release", "")) if fact else "",
        }
    )
    return entry


def build_snapshot(
    *,
    taken_at: datetime,
    environment: str,
    inventory: Sequence[str],
    medops_version: str,
    hosts: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    return {
        "record": KIND,
        "schema": SCHEMA,
        "taken_at": _iso(taken_at),
        "environment": environment,
        "inventory": list(inventory),
        "medops_version": medops_version,
        "hosts": sorted(hosts, key=lambda h: str(h["name"])),
    }


def snapshot_path(records: Path, taken_at: datetime) -> Path:
    return records / SNAPSHOTS / f"{taken_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.json"


def write_snapshot(records: Path, snapshot: Mapping[str, Any], text: str) -> Path:
    """Write the (already redacted) snapshot text atomically; an existing snapshot is never replaced."""
    path = snapshot_path(records, datetime.fromisoformat(str(snapshot["taken_at"])))
    if path.exists():
        raise MedopsError(f"{path.name} exists already: a snapshot is never replaced")
    write_atomic(path, text)
    return path


def load_snapshots(records: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Every readable snapshot, oldest first, and a line per unreadable one."""
    read, problems = read_json_files(records / SNAPSHOTS, "*.json")
    found: list[dict[str, Any]] = []
    for path, data in read:
        if not isinstance(data, dict) or data.get("record") != KIND or data.get("schema") != SCHEMA:
            problems.append(f"{path.name}: not a configuration inventory snapshot of schema {SCHEMA}")
            continue
        data["_source"] = f"records/{SNAPSHOTS}/{path.name}"
        found.append(data)
    return found, problems


def newest_snapshot_time(records: Path) -> datetime | None:
    folder = records / SNAPSHOTS
    names = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    if not names:
        return None
    try:
        return datetime.strptime(names[-1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
