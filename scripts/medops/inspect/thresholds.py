"""Inspection thresholds: defaults here, the estate's values in inventory (one file, documented).

`inventory/<env>/group_vars/all/inspection.yml` sets

    inspection_thresholds:           # only the limits that differ from the defaults below need to be there
      disk_used: {warning: 0.80, critical: 0.90}
    inspection_ignore_mounts: [/dev, /dev/*, /proc/*, /sys/*]
    inspection_services: []          # units to check beyond those the host's roles recorded
    inspection_certificates: []      # certificate files to check beyond those medops roles install

and a group may add its own `inspection_thresholds__<group>` (merged over, limit by limit, in name order),
`inspection_services__<group>` and `inspection_certificates__<group>` (appended), the same pattern as
`base_firewall_rules__<group>` (docs/conventions.md). Every limit and what it measures:
docs/inspection-thresholds.md. A value that is not a number, an unknown limit, or a warning beyond its
critical is refused before any host is contacted.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medops.backup.review import Severity
from medops.errors import MedopsError


@dataclass(frozen=True)
class Limit:
    """A warning and a critical level; `None` turns that level off. Lower-is-worse limits say so."""

    warning: float | None
    critical: float | None
    higher_is_worse: bool = True

    def judge(self, value: float) -> Severity:
        def beyond(level: float | None) -> bool:
            if level is None:
                return False
            return value >= level if self.higher_is_worse else value <= level

        if beyond(self.critical):
            return Severity.CRITICAL
        if beyond(self.warning):
            return Severity.WARNING
        return Severity.OK


@dataclass(frozen=True)
class Spec:
    default: Limit
    unit: str  # how the value is written: ratio (0.8 = 80%), number, count, days, hours, minutes, seconds
    description: str


DEFAULTS: Mapping[str, Spec] = {
    "load_per_cpu": Spec(Limit(1.0, 2.0), "number", "15-minute load average divided by the CPUs online"),
    "memory_used": Spec(Limit(0.85, 0.95), "ratio", "share of RAM in use (1 - MemAvailable / MemTotal)"),
    "swap_used": Spec(Limit(0.50, 0.80), "ratio", "share of swap in use (hosts without swap are not judged)"),
    "disk_used": Spec(
        Limit(0.80, 0.90), "ratio", "share of a file system in use, as df's Use% (read-only ones: not judged)"
    ),
    "inode_used": Spec(Limit(0.80, 0.90), "ratio", "share of a file system's inodes in use"),
    "disk_days_until_full": Spec(
        Limit(30, 7, higher_is_worse=False),
        "days",
        "days until a file system is full at its growth over past inspections",
    ),
    "time_offset_seconds": Spec(
        Limit(0.1, 1.0), "seconds", "how far the clock is from NTP time (chronyc tracking)"
    ),
    "security_updates": Spec(Limit(1, 20), "count", "pending updates from a -security suite"),
    "pending_updates": Spec(
        Limit(50, None), "count", "pending updates of any origin, security ones included"
    ),
    "package_lists_age_days": Spec(
        Limit(7, 30), "days", "age of the newest package list (pending updates are only as fresh)"
    ),
    "days_since_patch": Spec(
        Limit(120, 183), "days", "days since the patch job last recorded last_patched in the local fact"
    ),
    "certificate_days_left": Spec(
        Limit(30, 7, higher_is_worse=False), "days", "days until a certificate expires"
    ),
    "journal_errors": Spec(
        Limit(20, 200), "count", "journal entries of priority err or worse since the previous inspection"
    ),
    "pg_connections_used": Spec(
        Limit(0.70, 0.90), "ratio", "client connections / (max_connections - superuser_reserved_connections)"
    ),
    "pg_last_archived_hours": Spec(
        Limit(24, 72), "hours", "hours since the WAL archiver last archived a segment"
    ),
    "pg_transaction_minutes": Spec(Limit(60, 360), "minutes", "age of the oldest open transaction"),
    "backup_full_age_hours": Spec(
        Limit(192, 384),
        "hours",
        "age of the newest full backup (when the backup policy has no schedule for it)",
    ),
    "backup_diff_age_hours": Spec(Limit(36, 72), "hours", "age of the newest differential backup (idem)"),
    "backup_incr_age_hours": Spec(Limit(36, 72), "hours", "age of the newest incremental backup (idem)"),
    "backup_verify_age_hours": Spec(Limit(192, 384), "hours", "age of the last pgbackrest verify run (idem)"),
    "restore_test_age_days": Spec(Limit(45, 90), "days", "age of the newest restore test of a stanza (idem)"),
}

DEFAULT_IGNORE_MOUNTS = ("/dev", "/dev/*", "/proc/*", "/sys/*", "/run/user/*")
VARIABLE = "inspection_thresholds"
_UNIT_NAME = re.compile(r"^[A-Za-z0-9:_.@\\-]+\.(service|timer|socket|mount|path|target)$")


@dataclass(frozen=True)
class Thresholds:
    """The limits for one host, with the mounts to leave out and the extra units and certificates to check."""

    limits: Mapping[str, Limit]
    ignore_mounts: tuple[str, ...] = DEFAULT_IGNORE_MOUNTS
    services: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Limit:
        return self.limits[name]

    def ignored(self, mountpoint: str) -> bool:
        return any(fnmatch.fnmatchcase(mountpoint, pattern) for pattern in self.ignore_mounts)

    def as_data(self) -> dict[str, Any]:
        return {
            "limits": {
                name: {"warning": limit.warning, "critical": limit.critical}
                for name, limit in self.limits.items()
            },
            "ignore_mounts": list(self.ignore_mounts),
            "services": list(self.services),
            "certificates": list(self.certificates),
        }


def defaults() -> Thresholds:
    return Thresholds({name: spec.default for name, spec in DEFAULTS.items()})


def _number(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MedopsError(f"{where}: {value!r} is not a number (or null to turn the level off)")
    if value < 0:
        raise MedopsError(f"{where}: {value!r} is negative")
    return float(value)


def _limit(name: str, value: object, base: Limit, where: str) -> Limit:
    if not isinstance(value, Mapping):
        raise MedopsError(
            f"{where}: expected a mapping such as {{warning: 0.8, critical: 0.9}}, got {value!r}"
        )
    unknown = set(value) - {"warning", "critical"}
    if unknown:
        raise MedopsError(
            f"{where}: unknown key {sorted(map(str, unknown))[0]!r} (only warning and critical)"
        )
    warning = _number(value["warning"], f"{where}.warning") if "warning" in value else base.warning
    critical = _number(value["critical"], f"{where}.critical") if "critical" in value else base.critical
    if DEFAULTS[name].unit == "ratio":
        for level, number in (("warning", warning), ("critical", critical)):
            if number is not None and number > 1:
                raise MedopsError(f"{where}.{level}: {number:g} is a share and must be at most 1 (0.8 = 80%)")
    limit = Limit(warning, critical, base.higher_is_worse)
    if warning is not None and critical is not None:
        worse_first = critical < warning if limit.higher_is_worse else critical > warning
        if worse_first:
            word = "above" if limit.higher_is_worse else "below"
            raise MedopsError(
                f"{where}: warning {warning:g} must not be {word} critical {critical:g} "
                f"({'higher' if limit.higher_is_worse else 'lower'} is worse)"
            )
    return limit


def _merge_limits(sources: Sequence[tuple[str, object]]) -> dict[str, Limit]:
    limits = {name: spec.default for name, spec in DEFAULTS.items()}
    for variable, value in sources:
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise MedopsError(f"{variable}: expected a mapping of limits, got {type(value).__name__}")
        for name, limit in value.items():
            where = f"{variable}.{name}"
            if name not in DEFAULTS:
                known = ", ".join(sorted(DEFAULTS))
                raise MedopsError(f"{where}: no such limit (known: {known})")
            limits[name] = _limit(str(name), limit, limits[name], where)
    return limits


def _strings(variable: str, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise MedopsError(f"{variable}: expected a list of names, got {value!r}")
    return list(value)


def _suffixed(hostvars: Mapping[str, Any], name: str) -> list[tuple[str, object]]:
    """`name` first, then every `name__<suffix>` in name order."""
    found = [(name, hostvars.get(name))]
    found += sorted(
        (k, v) for k, v in hostvars.items() if k.startswith(f"{name}__") and len(k) > len(name) + 2
    )
    return found


def thresholds_for(hostvars: Mapping[str, Any]) -> Thresholds:
    """One host's thresholds from its inventory variables; MedopsError naming a variable that is wrong."""
    limits = _merge_limits(_suffixed(hostvars, VARIABLE))
    ignore = hostvars.get("inspection_ignore_mounts")
    ignore_mounts = (
        DEFAULT_IGNORE_MOUNTS if ignore is None else tuple(_strings("inspection_ignore_mounts", ignore))
    )
    services: list[str] = []
    for variable, value in _suffixed(hostvars, "inspection_services"):
        for unit in _strings(variable, value):
            full = unit if "." in unit else f"{unit}.service"
            if not _UNIT_NAME.match(full):
                raise MedopsError(f"{variable}: {unit!r} is not a systemd unit name")
            if full not in services:
                services.append(full)
    certificates: list[str] = []
    for variable, value in _suffixed(hostvars, "inspection_certificates"):
        for path in _strings(variable, value):
            if not path.startswith("/") or any(c.isspace() or c in "'\"`$;|&<>\\" for c in path):
                raise MedopsError(
                    f"{variable}: {path!r} must be an absolute path without spaces or shell characters"
                )
            if path not in certificates:
                certificates.append(path)
    return Thresholds(limits, ignore_mounts, tuple(services), tuple(certificates))
