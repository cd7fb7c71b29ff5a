"""The O&M contract's obligations for one year, each with its status and the evidence behind it.

Pure over what is on record (records/, the inventory's backup policy): nothing here contacts a host.

- weekly inspection: records/inspections/<week>.json; met when every ended week was inspected (52 a year);
- patch cycles, per host: records/patches/<change>/<host>.json with approvals in records/patches/approvals/;
  one approved cycle by 30 June, two by 31 December;
- backup policy review: the policy's reviews (group_vars/all/backup_policy.yml) and
  records/backup-reviews/; two a year, never more than 184 days apart;
- restore tests, per system: records/restore-tests/; a passed test no older than the policy's
  restore_test schedule allows (its longest gap plus half);
- DR drill, per system: records/drills/<system>-<time>.json; a drill this year whose measured RTO is
  within the policy's (qcis 8 h, chfms 4 h);
- configuration inventory: records/config-inventory/snapshots/; a snapshot no older than the newest
  recorded change and at most 31 days old.

A status is `met`, `ok` (on track), `due` (its deadline falls within the warning window), or `missed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from medops.backup.oncalendar import schedule_gaps
from medops.backup.policy import Policy
from medops.backup.restore_tests import RestoreTest
from medops.inspect.status import CONTRACT_PER_YEAR, YearStatus, _ranges
from medops.paths import read_json_files

BEIJING = timezone(timedelta(hours=8), "CST")
PATCH_SCHEMA = "medops.patch-record/1"
REVIEW_GAP_DAYS = 184
SNAPSHOT_MAX_DAYS = 31
STATES = ("met", "ok", "due", "missed")
RANK = {"met": 0, "ok": 0, "due": 1, "missed": 2}


@dataclass(frozen=True)
class Evidence:
    text: str  # what the record says, in one line
    source: str  # the record, as a repository path
    link: str = ""  # a run in ARA, when the record cites one


@dataclass(frozen=True)
class Obligation:
    key: str  # inspections | patch | review | restore | drill | inventory
    subject: str  # the host or system it is about, or "" for the estate
    state: str  # met | ok | due | missed
    done: int
    required: int
    deadline: date | None
    detail: str  # the measured state in one line (numbers, dates)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Compliance:
    year: int
    today: date
    within_days: int
    obligations: tuple[Obligation, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """0 when nothing is missed or due soon, 1 when something is due soon, 2 when something is missed."""
        return max((RANK[o.state] for o in self.obligations), default=0)


def _state(done: int, required: int, deadline: date | None, today: date, within: int) -> str:
    if done >= required:
        return "met"
    if deadline is None:
        return "ok"
    if today > deadline:
        return "missed"
    return "due" if (deadline - today).days <= within else "ok"


def _year_end(year: int) -> date:
    return date(year, 12, 31)


# --- inspections ------------------------------------------------------------------------------------------


def inspection_obligation(status: YearStatus, within: int) -> Obligation:
    done = len(status.of("inspected"))
    missed = status.of("missed")
    due = status.of("due")
    if missed:
        state = "missed"
    elif done >= CONTRACT_PER_YEAR:
        state = "met"
    elif due and (due[0].week.sunday - status.today).days <= within:
        state = "due"
    else:
        state = "ok"
    weeks = _ranges(missed)
    return Obligation(
        "inspections",
        "",
        state,
        done,
        CONTRACT_PER_YEAR,
        due[0].week.sunday if due else None,
        f"missed weeks: {weeks}",
        tuple(
            Evidence(f"{w.week}: {w.severity}", f"records/inspections/{w.week}.json")
            for w in status.of("inspected")[-3:]
        ),
    )


# --- patch cycles -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatchRecord:
    change_id: str
    host: str
    finished: datetime
    outcome: str
    approved_by: str
    source: str
    run: str = ""


def load_patch_records(records: Path) -> tuple[list[PatchRecord], list[str]]:
    """records/patches/<change id>/<host>.json of schema medops.patch-record/1; proposals are skipped."""
    read, problems = read_json_files(records / "patches", "*/*.json")
    found: list[PatchRecord] = []
    for path, data in read:
        if not isinstance(data, dict) or data.get("schema") != PATCH_SCHEMA:
            continue
        try:
            finished = datetime.fromisoformat(str(data["finished"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            problems.append(f"patches/{path.parent.name}/{path.name}: no readable finished time")
            continue
        found.append(
            PatchRecord(
                str(data.get("change_id") or path.parent.name),
                str(data.get("host") or path.stem),
                finished if finished.tzinfo else finished.replace(tzinfo=UTC),
                str(data.get("outcome", "")),
                str(data.get("approved_by", "")),
                f"records/patches/{path.parent.name}/{path.name}",
                str(data.get("ara_run", "")),
            )
        )
    return found, problems


def load_approvals(records: Path) -> dict[str, Mapping[str, Any]]:
    """change id → the approval file's fields (records/patches/approvals/<change id>.yml)."""
    folder = records / "patches" / "approvals"
    found: dict[str, Mapping[str, Any]] = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            found[path.stem] = data
    return found


def patch_cycles(
    hosts: Sequence[str],
    *,
    patches: Sequence[PatchRecord],
    approvals: Mapping[str, Mapping[str, Any]],
    year: int,
    today: date,
    within: int,
) -> list[Obligation]:
    """Per host: approved changes that ended ok in the year (Beijing time); one by 30 June, two by 31 Dec."""
    obligations = []
    for host in hosts:
        cycles = [
            p
            for p in patches
            if p.host == host
            and p.outcome == "ok"
            and p.finished.astimezone(BEIJING).year == year
            and p.change_id in approvals
        ]
        cycles.sort(key=lambda p: p.finished)
        unapproved = [
            p for p in patches if p.host == host and p.outcome == "ok" and p.change_id not in approvals
        ]
        first, second = date(year, 6, 30), _year_end(year)
        deadline = first if len(cycles) < 1 else second
        state = _state(len(cycles), 2, deadline, today, within)
        if len(cycles) < 1 and today > first:
            state = "missed"
        evidence = [
            Evidence(
                f"{p.change_id}: {p.finished.astimezone(BEIJING):%Y-%m-%d}, approved by "
                f"{approvals[p.change_id].get('approved_by', p.approved_by)} on "
                f"{approvals[p.change_id].get('approved_on', '-')}",
                p.source,
                p.run,
            )
            for p in cycles
        ]
        evidence += [Evidence(f"{p.change_id}: no approval on record", p.source, p.run) for p in unapproved]
        obligations.append(
            Obligation(
                "patch",
                host,
                state,
                len(cycles),
                2,
                deadline,
                ", ".join(p.change_id for p in cycles) or "no approved cycle this year",
                tuple(evidence),
            )
        )
    return obligations


# --- backup policy reviews --------------------------------------------------------------------------------


def reviews(policy: Policy, records: Path, year: int, today: date, within: int) -> Obligation:
    """Two reviews in the year, and never more than 184 days without one."""
    dated = [r for r in policy.reviews if r.date <= today]
    this_year = [r for r in dated if r.date.year == year]
    last = dated[-1] if dated else None
    since = (today - last.date).days if last else None
    deadline = last.date + timedelta(days=REVIEW_GAP_DAYS) if last else date(year, 6, 30)
    if since is not None and since > REVIEW_GAP_DAYS:
        state = "missed"
    elif len(this_year) >= 2:
        state = "met"
    else:
        state = _state(len(this_year), 2, min(deadline, _year_end(year)), today, within)
    evidence = []
    for review in this_year:
        report = records / "backup-reviews" / f"{review.date}.json"
        source = (
            f"records/backup-reviews/{review.date}.json" if report.exists() else "backup_policy.yml reviews"
        )
        evidence.append(Evidence(f"{review.date} by {review.reviewer}", source))
    detail = f"{since} days since the last" if since is not None else "no review on record"
    return Obligation("review", "", state, len(this_year), 2, deadline, detail, tuple(evidence))


# --- restore tests ----------------------------------------------------------------------------------------


def restore_tests(
    policy: Policy, tests: Sequence[RestoreTest], year: int, today: date, within: int
) -> list[Obligation]:
    """Per system: a passed restore test at most the schedule's longest gap (plus 50%) old."""
    obligations = []
    for system in policy.systems:
        mine = [t for t in tests if t.system == system.name and t.started_at.astimezone(BEIJING).year == year]
        passed = [t for t in mine if t.passed]
        gaps = schedule_gaps(system.schedule.restore_test)
        allowed = gaps.longest * 1.5 if gaps else timedelta(days=46)
        newest = max((t.finished_at for t in passed), default=None)
        deadline = (newest + allowed).astimezone(BEIJING).date() if newest else None
        if newest is None:
            state = "missed" if mine or today > date(year, 1, 31) else "due"
        elif deadline is not None and today > deadline:
            state = "missed"
        elif deadline is not None and (deadline - today).days <= within:
            state = "due"
        else:
            state = "ok"
        failed = len(mine) - len(passed)
        detail = f"{len(passed)} passed, {failed} failed this year"
        if newest:
            detail += f"; newest passed {newest.astimezone(BEIJING):%Y-%m-%d}"
        evidence = tuple(
            Evidence(
                f"{t.started_at.astimezone(BEIJING):%Y-%m-%d}: {t.outcome}",
                f"records/restore-tests/{t.source}",
            )
            for t in mine[-3:]
        )
        obligations.append(
            Obligation("restore", system.name, state, len(passed), 1, deadline, detail, evidence)
        )
    return obligations


# --- DR drills --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drill:
    """records/drills/<system>-<time>.json: a DR drill with its measured recovery time and point."""

    system: str
    started_at: datetime
    rto_seconds: float | None
    rpo_seconds: float | None
    outcome: str
    source: str
    run: str = ""


def _drill_outcome(rebuild: str, failback: str | None) -> str:
    """One word for a drill: the rebuild's outcome unless it succeeded, then the fail-back's."""
    if rebuild != "success":
        return rebuild  # refused, failed, running
    if failback is None:
        return "rebuilt, no fail-back yet"
    return "success" if failback == "success" else f"fail-back {failback}"


def load_drills(records: Path) -> tuple[list[Drill], list[str]]:
    """The drill records (medops.drill/1, written by dr-rebuild.yml and dr-failback.yml) as evidence."""
    from medops.drill.record import load_drills as read_records

    read = read_records(records)
    found = [
        Drill(
            d.system,
            d.rebuild.started if d.rebuild.started.tzinfo else d.rebuild.started.replace(tzinfo=UTC),
            d.rebuild.rto_seconds,
            d.rebuild.rpo_seconds,
            _drill_outcome(d.rebuild.outcome, d.failback.outcome if d.failback else None),
            f"records/{d.source}",
            str(d.raw.get("ara_run", "")),
        )
        for d in read.drills
    ]
    return found, list(read.problems)


def drills(policy: Policy, found: Sequence[Drill], year: int, today: date, within: int) -> list[Obligation]:
    """Per system: a drill this year whose measured RTO is within the policy's RTO (qcis 8 h, chfms 4 h)."""
    obligations = []
    for system in policy.systems:
        limit = system.rto_hours * 3600
        mine = [d for d in found if d.system == system.name and d.started_at.astimezone(BEIJING).year == year]
        # A drill counts when the temporary environment served within the RTO; a refused or failed
        # rebuild does not, and an unfinished or failed fail-back shows in the evidence.
        good = [
            d
            for d in mine
            if d.rto_seconds is not None
            and d.rto_seconds <= limit
            and d.outcome in ("success", "rebuilt, no fail-back yet")
        ]
        state = _state(len(good), 1, _year_end(year), today, within)
        if not good and mine:
            state = "missed" if today > _year_end(year) else "due"
        if not mine:
            detail = "no drill this year"
            state = "missed" if today > _year_end(year) else "due"
        else:
            best = min((d.rto_seconds for d in mine if d.rto_seconds is not None), default=None)
            detail = (
                f"{len(mine)} drill(s); best measured RTO {best:.0f} s of {limit:.0f} s" if best else "no RTO"
            )
        evidence = tuple(
            Evidence(
                f"{d.started_at.astimezone(BEIJING):%Y-%m-%d}: "
                f"{d.outcome}, RTO {d.rto_seconds or '-'} s, RPO {d.rpo_seconds or '-'} s",
                d.source,
                d.run,
            )
            for d in mine
        )
        obligations.append(
            Obligation("drill", system.name, state, len(good), 1, _year_end(year), detail, evidence)
        )
    return obligations


# --- configuration inventory ------------------------------------------------------------------------------


def inventory_age(
    snapshot: datetime | None, newest_change: datetime | None, today: date, within: int
) -> Obligation:
    """The newest snapshot: no older than the newest recorded change, and at most 31 days old."""
    if snapshot is None:
        return Obligation("inventory", "", "missed", 0, 1, None, "no snapshot on record")
    taken = snapshot.astimezone(BEIJING).date()
    age = (today - taken).days
    deadline = taken + timedelta(days=SNAPSHOT_MAX_DAYS)
    stale = newest_change is not None and newest_change > snapshot
    if stale or today > deadline:
        state = "missed"
    elif (deadline - today).days <= within:
        state = "due"
    else:
        state = "ok"
    detail = f"newest snapshot {taken} ({age} days old)"
    if stale and newest_change is not None:
        detail += f"; a change was recorded after it ({newest_change.astimezone(BEIJING):%Y-%m-%d %H:%M})"
    evidence = (
        Evidence(f"snapshot {snapshot.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}", "records/config-inventory"),
    )
    return Obligation("inventory", "", state, 1, 1, deadline, detail, evidence)
