"""The semiannual backup review as data: the policy against what the repository and the records show.

For each system of the policy (each pgBackRest stanza of the same name) the review judges:

- the stanza's status;
- the age of the newest full, differential and (when scheduled) incremental backup against the longest gap
  of its OnCalendar schedule, with 50% grace: older than 1.5 x the gap is a warning, older than
  3 x the gap (or none at all) is critical;
- retention: at least `retention.full` full backups once the repository is old enough to hold them, and
  no more than the policy keeps (more means expire is not doing what the policy says);
- backups pgBackRest marked with errors;
- WAL continuity (every backup's WAL inside the archived range, stanza status ok), and with it the RPO;
- the newest full's database size against the policy's estimate;
- restore tests: the newest must have passed and be no older than 1.5 x its schedule's longest gap, and
  every test since the previous review must have passed;
- the RTO: the longest restore since the previous review (or the newest passed one) and the restore time
  projected for the policy's database size at the slowest measured rate, against the RTO (at most 75% of
  it is OK, above the RTO is critical). Only restores of at least 10% of the estimated size are
  projected: on a small lab database, fixed start-up costs would make the projection meaningless.

Each finding carries a severity (ok, warning, critical), the measured value, the expected value and a
recommendation, as translatable `Msg`s: the report layer words them in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from medops.backup.info import Stanza, StanzaSummary, summarize_stanza
from medops.backup.oncalendar import schedule_gaps
from medops.backup.policy import Policy, Review, SystemPolicy, review_gaps
from medops.backup.restore_tests import RestoreRecords, RestoreTest
from medops.report.messages import Msg, msg

GRACE = 1.5  # a backup may be up to 1.5 x the schedule's longest gap old
CRITICAL_FACTOR = 2.0  # ... and critical beyond twice that (3 x the gap)
SIZE_GROWTH = 1.5  # the database may grow to 1.5 x the policy's estimate before the estimate is stale
RTO_MARGIN = 0.75  # a restore that takes more than 75% of the RTO leaves too little for the rest
# A restore is projected onto the policy's database size only when it restored at least this share of it:
# below that, fixed costs (starting PostgreSQL, replaying WAL) dominate and the projection overstates.
PROJECTION_MIN_SHARE = 0.10
GIB = 1 << 30
# Schedules are local time on the estate's hosts (base_timezone: Asia/Shanghai, UTC+8, no daylight saving).
ESTATE_TZ = timezone(timedelta(hours=8), "CST")


class Severity(StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return (Severity.OK, Severity.WARNING, Severity.CRITICAL).index(self)


def worst(severities: Iterable[Severity]) -> Severity:
    return max(severities, key=lambda s: s.rank, default=Severity.OK)


@dataclass(frozen=True)
class Finding:
    """One judged check: what was measured, what the policy expects, and what to do."""

    system: str  # "" for the policy as a whole
    check: str  # the check's id; its label is "check.<id>"
    severity: Severity
    measured: Msg
    expected: Msg
    recommendation: Msg


@dataclass(frozen=True)
class SystemReview:
    """One system: its policy, its stanza as the repository reports it, its restore tests, the findings."""

    policy: SystemPolicy
    stanza: StanzaSummary | None  # None when the repository has no stanza of that name
    restore_tests: tuple[RestoreTest, ...]  # since the last review
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> Severity:
        return worst(f.severity for f in self.findings)


@dataclass(frozen=True)
class BackupReview:
    """The whole review of one environment on one day."""

    environment: str
    today: date
    as_of: datetime  # the moment ages are measured from
    policy: Policy
    last_review: Review | None  # the newest review before today
    systems: tuple[SystemReview, ...]
    findings: tuple[Finding, ...]  # about the policy as a whole: reviews, records, unknown stanzas

    @property
    def all_findings(self) -> tuple[Finding, ...]:
        return (*self.findings, *(f for s in self.systems for f in s.findings))

    @property
    def severity(self) -> Severity:
        return worst(f.severity for f in self.all_findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.all_findings if f.severity == severity)


def as_of_for(today: date, now: datetime | None) -> datetime:
    """The moment a review measures ages from: now, or 12:00 Beijing time on a given day (reproducible)."""
    if now is not None:
        return now
    return datetime(today.year, today.month, today.day, 12, tzinfo=ESTATE_TZ)


def _ok() -> Msg:
    return msg("rec.ok")


def _age_finding(system: SystemPolicy, summary: StanzaSummary, backup_type: str) -> Finding | None:
    expression = system.schedule.for_type(backup_type)
    if expression is None:
        return None
    gaps = schedule_gaps(expression)
    if gaps is None:
        return None
    limit = gaps.longest * GRACE
    kind = f"type.{backup_type}"
    expected = msg(
        "msg.age_limit",
        limit_seconds=limit.total_seconds(),
        schedule=expression,
        gap_seconds=gaps.longest.total_seconds(),
    )
    check = f"{backup_type}_age"
    newest = summary.newest.get(backup_type)
    if newest is None:
        return Finding(
            system.name,
            check,
            Severity.CRITICAL,
            msg("msg.none_found"),
            expected,
            msg("rec.age_none", kind_label=kind),
        )
    measured = msg("msg.age", age_seconds=newest.age.total_seconds(), label=newest.backup.label)
    if newest.age > limit * CRITICAL_FACTOR:
        severity, recommendation = Severity.CRITICAL, msg("rec.age_overdue", kind_label=kind)
    elif newest.age > limit:
        severity, recommendation = Severity.WARNING, msg("rec.age_overdue", kind_label=kind)
    else:
        severity, recommendation = Severity.OK, _ok()
    return Finding(system.name, check, severity, measured, expected, recommendation)


def _retention_findings(system: SystemPolicy, summary: StanzaSummary, as_of: datetime) -> list[Finding]:
    stanza = summary.stanza
    want = system.retention.full
    fulls = summary.counts["full"]
    gaps = schedule_gaps(system.schedule.full)
    oldest = stanza.backups[0].start if stanza.backups else None
    findings: list[Finding] = []
    expected_full = msg("msg.retention_full_expected", count=want)
    if fulls > want:
        severity, measured, recommendation = (
            Severity.WARNING,
            msg("msg.count", count=fulls),
            msg("rec.retention_over", kind_label="type.full"),
        )
    elif fulls == want:
        severity, measured, recommendation = Severity.OK, msg("msg.count", count=fulls), _ok()
    else:
        needed = gaps.longest * (want - 1) if gaps else timedelta(0)
        repo_age = as_of - oldest if oldest else timedelta(0)
        if repo_age >= needed:
            severity, measured, recommendation = (
                Severity.WARNING,
                msg("msg.count", count=fulls),
                msg("rec.retention_under"),
            )
        else:
            severity, recommendation = Severity.OK, msg("rec.retention_young")
            measured = msg(
                "msg.count_young",
                count=fulls,
                age_seconds=repo_age.total_seconds(),
                needed_seconds=needed.total_seconds(),
            )
    findings.append(Finding(system.name, "retention_full", severity, measured, expected_full, recommendation))
    diffs = summary.counts["diff"]
    over = diffs > system.retention.diff
    findings.append(
        Finding(
            system.name,
            "retention_diff",
            Severity.WARNING if over else Severity.OK,
            msg("msg.count", count=diffs),
            msg("msg.retention_diff_expected", count=system.retention.diff),
            msg("rec.retention_over", kind_label="type.diff") if over else _ok(),
        )
    )
    return findings


def _errors_finding(system: SystemPolicy, stanza: Stanza) -> Finding:
    failed = [b.label for b in stanza.backups if b.error]
    if not failed:
        return Finding(
            system.name, "backup_errors", Severity.OK, msg("msg.count", count=0), msg("msg.zero"), _ok()
        )
    shown = ", ".join(failed[:3]) + (" …" if len(failed) > 3 else "")
    return Finding(
        system.name,
        "backup_errors",
        Severity.WARNING,
        msg("msg.error_labels", count=len(failed), labels=shown),
        msg("msg.zero"),
        msg("rec.backup_errors", stanza=stanza.name),
    )


def _wal_findings(system: SystemPolicy, summary: StanzaSummary | None) -> list[Finding]:
    rpo_expected = msg("msg.rpo_expected", rpo_seconds=system.rpo_minutes * 60)
    expected = msg("msg.wal_expected")
    if summary is None or not summary.wal.status_ok:
        not_judged = msg("msg.wal_status")
        recommendation = msg("rec.status", stanza=system.name)
        return [
            Finding(system.name, "wal", Severity.CRITICAL, not_judged, expected, recommendation),
            Finding(system.name, "rpo", Severity.CRITICAL, not_judged, rpo_expected, recommendation),
        ]
    wal = summary.wal
    if wal.gaps:
        gap = wal.gaps[0]
        measured = msg(
            "msg.wal_gaps",
            count=len(wal.gaps),
            label=gap.label,
            wal=gap.wal,
            min=gap.archive_min or "-",
            max=gap.archive_max or "-",
        )
        recommendation = msg("rec.wal", stanza=system.name)
        return [
            Finding(system.name, "wal", Severity.CRITICAL, measured, expected, recommendation),
            Finding(system.name, "rpo", Severity.CRITICAL, measured, rpo_expected, recommendation),
        ]
    measured = msg("msg.wal_range", min=wal.min or "-", max=wal.max or "-")
    return [
        Finding(system.name, "wal", Severity.OK, measured, expected, _ok()),
        Finding(system.name, "rpo", Severity.OK, measured, rpo_expected, msg("rec.rpo")),
    ]


def _size_finding(system: SystemPolicy, summary: StanzaSummary) -> Finding | None:
    newest = summary.newest.get("full")
    if newest is None:
        return None
    estimate = int(system.database_size_gb * GIB)
    size = newest.backup.database_size
    grown = size > estimate * SIZE_GROWTH
    return Finding(
        system.name,
        "size",
        Severity.WARNING if grown else Severity.OK,
        msg("msg.size", size_bytes=size, label=newest.backup.label),
        msg("msg.size_expected", estimate_bytes=estimate),
        msg("rec.size_grown") if grown else _ok(),
    )


def _restore_findings(
    system: SystemPolicy,
    window: Sequence[RestoreTest],
    history: Sequence[RestoreTest],
    since: date | None,
    as_of: datetime,
) -> list[Finding]:
    """Restore tests, then the RTO.

    `window` holds the tests since the previous review (counted and listed); `history` every test of the
    system up to `as_of`, so that a test that is simply not due yet is not reported as missing.
    """
    gaps = schedule_gaps(system.schedule.restore_test)
    limit = gaps.longest * GRACE if gaps else None
    expected = msg(
        "msg.restore_expected",
        schedule=system.schedule.restore_test,
        limit_seconds=limit.total_seconds() if limit else 0,
    )
    newest = history[-1] if history else None
    if newest is None:
        restore = Finding(
            system.name,
            "restore_tests",
            Severity.WARNING,
            msg("msg.restore_never"),
            expected,
            msg("rec.restore_none"),
        )
    else:
        passed_in_window = sum(1 for t in window if t.passed)
        outcome = f"outcome.{newest.outcome}"
        newest_date = newest.started_at.astimezone(ESTATE_TZ).date().isoformat()
        if window:
            measured = msg(
                "msg.restore_counts",
                passed=passed_in_window,
                failed=len(window) - passed_in_window,
                date=newest_date,
                outcome_label=outcome,
            )
        else:
            measured = msg(
                "msg.restore_window_none",
                since=str(since) if since else "-",
                date=newest_date,
                outcome_label=outcome,
            )
        if not newest.passed:
            severity, recommendation = Severity.CRITICAL, msg("rec.restore_failed")
        elif passed_in_window < len(window):
            severity, recommendation = Severity.WARNING, msg("rec.restore_some_failed")
        elif limit is not None and as_of - newest.finished_at > limit:
            severity, recommendation = Severity.WARNING, msg("rec.restore_overdue")
        else:
            severity, recommendation = Severity.OK, _ok()
        restore = Finding(system.name, "restore_tests", severity, measured, expected, recommendation)
    return [restore, _rto_finding(system, window, history)]


def _rto_finding(
    system: SystemPolicy, window: Sequence[RestoreTest], history: Sequence[RestoreTest]
) -> Finding:
    """The RTO against the restores measured since the previous review (or the newest passed restore)."""
    rto_seconds = system.rto_hours * 3600
    rto_expected = msg("msg.rto_expected", rto_seconds=rto_seconds)
    # Since the previous review; when none passed in that time, the newest passed test still measures.
    measured_tests = [t for t in window if t.passed] or [t for t in history if t.passed][-1:]
    if not measured_tests:
        return Finding(
            system.name,
            "rto",
            Severity.WARNING,
            msg("msg.rto_unmeasured"),
            rto_expected,
            msg("rec.rto_unmeasured"),
        )
    longest = max(measured_tests, key=lambda t: t.duration_seconds)
    estimate = system.database_size_gb * GIB
    projections = [
        t.duration_seconds * estimate / t.size_bytes
        for t in measured_tests
        if t.size_bytes >= estimate * PROJECTION_MIN_SHARE
    ]
    projected = max(projections, default=None)
    slowest = max(longest.duration_seconds, projected or 0.0)
    if slowest > rto_seconds:
        severity, recommendation = Severity.CRITICAL, msg("rec.rto_over")
    elif slowest > rto_seconds * RTO_MARGIN:
        severity, recommendation = Severity.WARNING, msg("rec.rto_near")
    else:
        severity, recommendation = Severity.OK, _ok()
    if projected is None:
        measured = msg(
            "msg.rto_measured_small",
            duration_seconds=longest.duration_seconds,
            size_bytes=longest.size_bytes,
            estimate_bytes=int(estimate),
        )
    else:
        measured = msg(
            "msg.rto_measured",
            duration_seconds=longest.duration_seconds,
            size_bytes=longest.size_bytes,
            projected_seconds=projected,
            estimate_bytes=int(estimate),
        )
    return Finding(system.name, "rto", severity, measured, rto_expected, recommendation)


def _status_finding(system: SystemPolicy, stanza: Stanza | None) -> Finding:
    expected = msg("msg.status_expected")
    if stanza is None:
        return Finding(
            system.name,
            "stanza_status",
            Severity.CRITICAL,
            msg("msg.stanza_missing", stanza=system.name),
            expected,
            msg("rec.stanza_missing", stanza=system.name),
        )
    measured = msg("msg.status", code=stanza.status_code, message=stanza.status_text)
    if stanza.ok:
        return Finding(system.name, "stanza_status", Severity.OK, measured, expected, _ok())
    return Finding(
        system.name,
        "stanza_status",
        Severity.CRITICAL,
        measured,
        expected,
        msg("rec.status", stanza=stanza.name),
    )


def _review_system(
    system: SystemPolicy,
    stanza: Stanza | None,
    history: Sequence[RestoreTest],
    since: date | None,
    as_of: datetime,
) -> SystemReview:
    summary = summarize_stanza(stanza, as_of) if stanza is not None else None
    findings = [_status_finding(system, stanza)]
    if summary is not None and stanza is not None and stanza.ok:
        for backup_type in ("full", "diff", "incr"):
            finding = _age_finding(system, summary, backup_type)
            if finding:
                findings.append(finding)
        findings.extend(_retention_findings(system, summary, as_of))
        findings.append(_errors_finding(system, stanza))
        size = _size_finding(system, summary)
        if size:
            findings.append(size)
    findings.extend(_wal_findings(system, summary))
    window = [t for t in history if since is None or t.started_at.astimezone(ESTATE_TZ).date() >= since]
    findings.extend(_restore_findings(system, window, history, since, as_of))
    return SystemReview(system, summary, tuple(window), tuple(findings))


def _policy_findings(
    policy: Policy, stanzas: Sequence[Stanza], records: RestoreRecords, today: date
) -> list[Finding]:
    findings: list[Finding] = []
    gaps = review_gaps(policy, today)
    for gap in gaps:
        if gap.kind == "none":
            measured = msg("msg.reviews_none")
        elif gap.kind == "future":
            measured = msg("msg.review_future", date=str(gap.day))
        elif gap.kind == "overdue":
            measured = msg("msg.review_overdue", date=str(gap.day), days=gap.age_days)
        else:
            held = ", ".join(str(d) for d in gap.dates) or "-"
            measured = msg("msg.review_year", year=gap.year, count=len(gap.dates), dates=held)
        findings.append(
            Finding(
                "", "reviews", Severity.WARNING, measured, msg("msg.reviews_expected"), msg("rec.reviews")
            )
        )
    if not gaps:
        last = policy.newest_review(before=today + timedelta(days=1))
        measured = msg(
            "msg.review_last",
            date=str(last.date) if last else "-",
            reviewer=last.reviewer if last else "-",
            next_due=str(last.next_due) if last else "-",
        )
        findings.append(Finding("", "reviews", Severity.OK, measured, msg("msg.reviews_expected"), _ok()))
    names = {s.name for s in policy.systems}
    for stanza in stanzas:
        if stanza.name not in names:
            findings.append(
                Finding(
                    "",
                    "unmanaged_stanza",
                    Severity.WARNING,
                    msg("msg.stanza_unmanaged", stanza=stanza.name),
                    msg("msg.stanza_listed"),
                    msg("rec.stanza_unmanaged", stanza=stanza.name),
                )
            )
    for problem in records.problems:
        findings.append(
            Finding(
                "",
                "records",
                Severity.WARNING,
                msg("msg.record_invalid", problem=problem),
                msg("msg.record_valid"),
                msg("rec.record_invalid"),
            )
        )
    return findings


def build_review(
    policy: Policy,
    stanzas: Sequence[Stanza],
    records: RestoreRecords,
    *,
    environment: str,
    today: date,
    as_of: datetime,
) -> BackupReview:
    """Judge every system of the policy against the repository (`stanzas`) and the restore-test records."""
    last_review = policy.newest_review(before=today)
    since = last_review.date if last_review else None
    by_name = {s.name: s for s in stanzas}
    systems = []
    for system in policy.systems:
        history = [t for t in records.tests if t.system == system.name and t.started_at <= as_of]
        systems.append(_review_system(system, by_name.get(system.name), history, since, as_of))
    return BackupReview(
        environment=environment,
        today=today,
        as_of=as_of,
        policy=policy,
        last_review=last_review,
        systems=tuple(systems),
        findings=tuple(_policy_findings(policy, stanzas, records, today)),
    )
