"""Patch compliance per host for one calendar year: the cycles the contract asks for, and old security fixes.

- Cycles: the O&M contract asks for two patch cycles a year (half-yearly). A host's cycle is a change
  (`records/patches/<change id>/<host>.json`) whose outcome is `ok`, counted in the year it finished
  (Beijing time). In the current year one cycle is due by 30 June and the second by 31 December.
- Pending security updates: those of the host's newest plan (proposal). Their age is counted from the
  first plan that showed the package pending on the host, without a later plan showing it not pending
  (first seen). Debian publishes no per-package date in the package lists a host has, so the first-seen
  date stands in for the publication date; it is never earlier than the publication, so an age it
  gives is at most the real one: plan often (at least monthly) for the age to mean something.
  Older than `patch_security_max_age_days` (inventory) is critical.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from medops.backup.review import Severity, worst
from medops.errors import MedopsError
from medops.patch.plan import Proposal

RECORD_SCHEMA = "medops.patch-record/1"
CYCLES_PER_YEAR = 2
BEIJING = timezone(timedelta(hours=8), "CST")
PATCHING_FILE = Path("group_vars/all/patching.yml")
MAX_AGE_VARIABLE = "patch_security_max_age_days"


@dataclass(frozen=True)
class HostRecord:
    """One host's part of one applied change (the record patch.yml writes)."""

    change_id: str
    host: str
    finished: datetime
    outcome: str  # ok | failed | refused
    packages: int
    reboot: str
    source: str


@dataclass(frozen=True)
class PendingFix:
    package: str
    version: str
    first_seen: date
    age_days: int
    overdue: bool


@dataclass(frozen=True)
class HostStatus:
    host: str
    cycles: tuple[HostRecord, ...]  # ok changes finished in the year, oldest first
    failed: tuple[HostRecord, ...]  # changes of the year that did not end ok
    due_now: int  # cycles due by today (0, 1 or 2)
    plan: str | None  # newest proposal covering the host
    plan_date: date | None
    pending: tuple[PendingFix, ...]  # security updates pending in that plan
    severity: Severity
    problems: tuple[str, ...] = field(default=())

    @property
    def met(self) -> bool:
        return len(self.cycles) >= CYCLES_PER_YEAR


@dataclass(frozen=True)
class PatchStatus:
    environment: str
    year: int
    today: date
    max_age_days: int
    hosts: tuple[HostStatus, ...]
    problems: tuple[str, ...]  # unreadable records

    @property
    def severity(self) -> Severity:
        return worst([*(h.severity for h in self.hosts), *([Severity.WARNING] if self.problems else [])])


def read_max_age(inventory: Path) -> int:
    """patch_security_max_age_days from inventory/<env>/group_vars/all/patching.yml."""
    path = inventory / PATCHING_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MedopsError(
            f"no {PATCHING_FILE} in the inventory {inventory.name} (it sets {MAX_AGE_VARIABLE})"
        ) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MedopsError(f"cannot read {inventory.name}/{PATCHING_FILE}: {exc}") from None
    value = data.get(MAX_AGE_VARIABLE) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MedopsError(
            f"{inventory.name}/{PATCHING_FILE}: {MAX_AGE_VARIABLE} is {value!r}; expected days >= 1"
        )
    return value


def inventory_hosts(inventory: Path) -> list[str]:
    """Every host named in inventory/<env>/hosts.yml, or in a YAML inventory file given as such."""
    path = inventory if inventory.is_file() else inventory / "hosts.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MedopsError(f"no hosts.yml in the inventory {inventory.name}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MedopsError(f"cannot read {inventory.name}/hosts.yml: {exc}") from None
    found: set[str] = set()

    def walk(group: object) -> None:
        if not isinstance(group, Mapping):
            return
        hosts = group.get("hosts")
        if isinstance(hosts, Mapping):
            found.update(str(h) for h in hosts)
        children = group.get("children")
        if isinstance(children, Mapping):
            for child in children.values():
                walk(child)

    if isinstance(data, Mapping):
        for group in data.values():
            walk(group)
    return sorted(found)


def record_from_data(data: object, source: str) -> HostRecord:
    if not isinstance(data, dict) or data.get("schema") != RECORD_SCHEMA:
        raise MedopsError(f"{source} is not a patch record ({RECORD_SCHEMA})")
    try:
        finished = datetime.fromisoformat(str(data["finished"]).replace("Z", "+00:00"))
        return HostRecord(
            change_id=str(data["change_id"]),
            host=str(data["host"]),
            finished=finished if finished.tzinfo else finished.replace(tzinfo=UTC),
            outcome=str(data["outcome"]),
            packages=len(data.get("packages") or []),
            reboot=str(data.get("reboot") or ""),
            source=source,
        )
    except (KeyError, ValueError) as exc:
        raise MedopsError(f"{source}: {exc} is missing or malformed") from None


def load_records(records: Path) -> tuple[list[HostRecord], list[str]]:
    """Every host record under records/patches/<change id>/<host>.json, and one line per unreadable one."""
    found: list[HostRecord] = []
    problems: list[str] = []
    base = records / "patches"
    for path in sorted(base.glob("*/*.json")):
        if path.parent.name == "approvals" or path.name in ("proposal.json", "change.json"):
            continue
        source = str(path.relative_to(records))
        try:
            found.append(record_from_data(json.loads(path.read_text(encoding="utf-8")), source))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{source}: cannot read it ({exc})")
        except MedopsError as exc:
            problems.append(str(exc))
    return found, problems


def _first_seen(proposals: Sequence[Proposal], host: str, package: str) -> date:
    """The date of the earliest plan in the unbroken run of plans (newest backwards) with it pending."""
    seen: date | None = None
    for proposal in reversed(proposals):
        plan = proposal.host(host)
        if plan is None:
            continue
        if not any(p.name == package and p.security for p in plan.packages):
            break
        seen = proposal.created.astimezone(BEIJING).date()
    if seen is None:  # the caller asks only about packages of a plan
        raise MedopsError(f"{package} is not pending on {host} in any plan")
    return seen


def _due_now(year: int, today: date) -> int:
    if year < today.year:
        return CYCLES_PER_YEAR
    if year > today.year:
        return 0
    return 1 if today > date(year, 6, 30) else 0


def host_status(
    host: str,
    *,
    year: int,
    today: date,
    max_age_days: int,
    records: Iterable[HostRecord],
    proposals: Sequence[Proposal],
) -> HostStatus:
    mine = sorted((r for r in records if r.host == host), key=lambda r: r.finished)
    in_year = [r for r in mine if r.finished.astimezone(BEIJING).year == year]
    cycles = tuple(r for r in in_year if r.outcome == "ok")
    # A change that went ok twice on one host (a re-run) is one cycle.
    unique = tuple({r.change_id: r for r in cycles}.values())
    failed = tuple(r for r in in_year if r.outcome != "ok")
    due = _due_now(year, today)
    covering = [p for p in proposals if p.host(host) is not None]
    newest = covering[-1] if covering else None
    pending: list[PendingFix] = []
    if newest is not None:
        plan = newest.host(host)
        for package in plan.packages if plan else ():
            if not package.security:
                continue
            seen = _first_seen(covering, host, package.name)
            age = (today - seen).days
            pending.append(PendingFix(package.name, package.target, seen, age, age > max_age_days))
    problems = []
    if len(unique) < due:
        problems.append("cycles")
    if any(p.overdue for p in pending):
        problems.append("security")
    if problems:
        severity = Severity.CRITICAL
    elif len(unique) < CYCLES_PER_YEAR or newest is None:
        severity = Severity.WARNING
    else:
        severity = Severity.OK
    return HostStatus(
        host=host,
        cycles=unique,
        failed=failed,
        due_now=due,
        plan=newest.id if newest else None,
        plan_date=newest.created.astimezone(BEIJING).date() if newest else None,
        pending=tuple(pending),
        severity=severity,
        problems=tuple(problems),
    )


def build_status(
    environment: str,
    *,
    hosts: Sequence[str],
    year: int,
    today: date,
    max_age_days: int,
    records: Sequence[HostRecord],
    proposals: Sequence[Proposal],
    problems: Sequence[str] = (),
) -> PatchStatus:
    names = sorted(set(hosts) | {r.host for r in records})
    ordered = sorted((p for p in proposals if p.environment == environment), key=lambda p: p.created)
    return PatchStatus(
        environment=environment,
        year=year,
        today=today,
        max_age_days=max_age_days,
        hosts=tuple(
            host_status(
                h, year=year, today=today, max_age_days=max_age_days, records=records, proposals=ordered
            )
            for h in names
        ),
        problems=tuple(problems),
    )


def status_data(status: PatchStatus) -> dict[str, Any]:
    return {
        "report": "medops.patch-status",
        "environment": status.environment,
        "year": status.year,
        "today": status.today.isoformat(),
        "cycles_required": CYCLES_PER_YEAR,
        "security_max_age_days": status.max_age_days,
        "severity": status.severity.value,
        "problems": list(status.problems),
        "hosts": [
            {
                "host": h.host,
                "severity": h.severity.value,
                "cycles": [
                    {"change_id": r.change_id, "finished": r.finished.isoformat(), "reboot": r.reboot}
                    for r in h.cycles
                ],
                "cycles_met": h.met,
                "cycles_due_by_today": h.due_now,
                "failed_changes": [r.change_id for r in h.failed],
                "plan": h.plan,
                "plan_date": h.plan_date.isoformat() if h.plan_date else None,
                "pending_security": [
                    {
                        "package": p.package,
                        "version": p.version,
                        "first_seen": p.first_seen.isoformat(),
                        "age_days": p.age_days,
                        "overdue": p.overdue,
                    }
                    for p in h.pending
                ],
            }
            for h in status.hosts
        ],
    }
