"""Review findings for each recorded repository state, restore-test history and policy variant."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from medops.backup.info import parse_info
from medops.backup.policy import Policy, Retention, check_policy_file, policy_path
from medops.backup.restore_tests import RestoreRecords, RestoreTest
from medops.backup.review import BackupReview, Finding, Severity, as_of_for, build_review

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "pgbackrest"
TODAY = date(2026, 11, 22)
CST = timezone(timedelta(hours=8))
AS_OF = as_of_for(TODAY, None)
GIB = 1 << 30


def _lab_policy() -> Policy:
    policy = check_policy_file(policy_path(ROOT / "inventory" / "lab"), TODAY).policy
    assert policy is not None
    return policy


def _test(
    system: str, day: str, *, minutes: float = 5, gib: float = 2, outcome: str = "passed"
) -> RestoreTest:
    start = datetime.fromisoformat(f"{day}T03:00:00+08:00")
    return RestoreTest(
        system=system,
        started_at=start,
        finished_at=start + timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
        backup_label="20261025-010002F_20261031-010003D",
        size_bytes=int(gib * GIB),
        outcome=outcome,
        detail="-",
        source=f"restore-tests/{system}-{day}.json",
    )


MONTHLY = (_test("qcis", "2026-11-01"), _test("chfms", "2026-11-01", gib=0.9))


def _review(
    fixture: str,
    tests: tuple[RestoreTest, ...] = MONTHLY,
    policy: Policy | None = None,
    problems: tuple[str, ...] = (),
) -> BackupReview:
    return build_review(
        policy or _lab_policy(),
        parse_info((DATA / fixture).read_text()),
        RestoreRecords(tests, problems),
        environment="lab",
        today=TODAY,
        as_of=AS_OF,
    )


def _finding(review: BackupReview, system: str, check: str) -> Finding:
    found = [f for f in review.all_findings if f.system == system and f.check == check]
    assert len(found) == 1, f"{system}/{check}: {found}"
    return found[0]


def _severities(review: BackupReview, system: str) -> dict[str, Severity]:
    return {f.check: f.severity for f in review.all_findings if f.system == system}


def test_as_of_is_noon_in_beijing() -> None:
    assert as_of_for(TODAY, None) == datetime(2026, 11, 22, 12, 0, tzinfo=CST)
    now = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)  # noqa: UP017 - reads as what it is
    assert as_of_for(TODAY, now) is now


def test_healthy_repository_is_all_ok() -> None:
    review = _review("healthy-two-stanzas.json")
    assert review.severity == Severity.OK
    assert _severities(review, "qcis") == {
        "stanza_status": Severity.OK,
        "full_age": Severity.OK,
        "diff_age": Severity.OK,
        "incr_age": Severity.OK,
        "retention_full": Severity.OK,
        "retention_diff": Severity.OK,
        "backup_errors": Severity.OK,
        "size": Severity.OK,
        "wal": Severity.OK,
        "rpo": Severity.OK,
        "restore_tests": Severity.OK,
        "rto": Severity.OK,
    }
    assert [f.check for f in review.findings] == ["reviews"]
    assert review.last_review is not None and review.last_review.date == date(2026, 11, 18)
    full = _finding(review, "qcis", "full_age")
    assert full.measured.params["label"] == "20261122-010004F"
    assert full.expected.params["gap_seconds"] == 7 * 86400
    assert full.expected.params["limit_seconds"] == 1.5 * 7 * 86400


def test_error_status_is_critical_and_backup_checks_are_not_judged() -> None:
    review = _review("stanza-error.json")
    assert review.severity == Severity.CRITICAL
    status = _finding(review, "chfms", "stanza_status")
    assert status.severity == Severity.CRITICAL
    assert str(status.measured.params["message"]).startswith("other; [PathOpenError]")
    assert status.recommendation.key == "rec.status"
    assert _severities(review, "chfms") == {
        "stanza_status": Severity.CRITICAL,
        "wal": Severity.CRITICAL,
        "rpo": Severity.CRITICAL,
        "restore_tests": Severity.OK,
        "rto": Severity.OK,
    }
    assert _finding(review, "qcis", "stanza_status").severity == Severity.OK


def test_empty_stanza_is_critical() -> None:
    review = _review("empty-stanza.json")
    status = _finding(review, "chfms", "stanza_status")
    assert status.severity == Severity.CRITICAL
    assert status.measured.params == {"code": 2, "message": "no valid backups"}


def test_old_full_is_critical_beyond_three_gaps() -> None:
    review = _review("old-full.json")
    full = _finding(review, "chfms", "full_age")
    assert full.severity == Severity.CRITICAL
    assert full.recommendation.key == "rec.age_overdue"
    assert full.measured.params["label"] == "20261101-010004F"
    assert float(str(full.measured.params["age_seconds"])) > 21 * 86400
    # Everything else about chfms is still fine: diffs and incrementals went on.
    assert {c: s for c, s in _severities(review, "chfms").items() if s != Severity.OK} == {
        "full_age": Severity.CRITICAL
    }


def test_old_full_is_a_warning_within_three_gaps() -> None:
    review = build_review(
        _lab_policy(),
        parse_info((DATA / "old-full.json").read_text()),
        RestoreRecords(MONTHLY, ()),
        environment="lab",
        today=date(2026, 11, 13),
        as_of=as_of_for(date(2026, 11, 13), None),
    )
    assert _finding(review, "chfms", "full_age").severity == Severity.WARNING


def test_wal_gap_is_critical_and_backup_errors_warn() -> None:
    review = _review("wal-gap.json")
    wal = _finding(review, "qcis", "wal")
    assert wal.severity == Severity.CRITICAL
    assert wal.measured.params["label"] == "20261115-010004F"
    assert _finding(review, "qcis", "rpo").severity == Severity.CRITICAL
    errors = _finding(review, "qcis", "backup_errors")
    assert errors.severity == Severity.WARNING
    assert errors.measured.params == {"count": 1, "labels": "20261115-010004F_20261119-010002D"}
    assert _finding(review, "chfms", "wal").severity == Severity.OK


def test_missing_stanza() -> None:
    review = build_review(
        _lab_policy(), (), RestoreRecords(MONTHLY, ()), environment="lab", today=TODAY, as_of=AS_OF
    )
    assert _finding(review, "qcis", "stanza_status").measured.key == "msg.stanza_missing"
    assert _severities(review, "qcis")["wal"] == Severity.CRITICAL


def test_stanza_outside_the_policy_warns() -> None:
    policy = _lab_policy()
    only_qcis = dataclasses.replace(policy, systems=policy.systems[:1])
    review = _review("healthy-two-stanzas.json", policy=only_qcis)
    unmanaged = [f for f in review.findings if f.check == "unmanaged_stanza"]
    assert [(f.severity, f.measured.params["stanza"]) for f in unmanaged] == [(Severity.WARNING, "chfms")]


def _with_retention(full: int) -> Policy:
    policy = _lab_policy()
    systems = tuple(
        dataclasses.replace(s, retention=Retention(full=full, diff=s.retention.diff, archive_full=None))
        for s in policy.systems
    )
    return dataclasses.replace(policy, systems=systems)


def test_retention_not_judged_while_the_repository_is_young() -> None:
    review = _review("healthy-two-stanzas.json", policy=_with_retention(4))
    finding = _finding(review, "qcis", "retention_full")
    assert finding.severity == Severity.OK
    assert finding.measured.key == "msg.count_young"
    assert finding.measured.params["needed_seconds"] == 3 * 7 * 86400


def test_retention_under_once_old_enough() -> None:
    # chfms in old-full.json: fulls 4 weeks apart at most; two kept, three wanted, oldest 28 d old.
    review = _review("old-full.json", policy=_with_retention(3))
    assert _finding(review, "chfms", "retention_full").severity == Severity.WARNING
    assert _finding(review, "chfms", "retention_full").recommendation.key == "rec.retention_under"


def test_more_backups_than_retention_warns() -> None:
    review = _review("healthy-two-stanzas.json", policy=_with_retention(1))
    finding = _finding(review, "qcis", "retention_full")
    assert (finding.severity, finding.recommendation.key) == (Severity.WARNING, "rec.retention_over")


def test_no_restore_test_ever_warns_and_rto_is_unmeasured() -> None:
    review = _review("healthy-two-stanzas.json", tests=())
    assert _finding(review, "qcis", "restore_tests").measured.key == "msg.restore_never"
    assert _severities(review, "qcis")["restore_tests"] == Severity.WARNING
    assert _finding(review, "qcis", "rto").measured.key == "msg.rto_unmeasured"
    assert review.severity == Severity.WARNING


def test_newest_restore_test_failed_is_critical() -> None:
    review = _review("healthy-two-stanzas.json", tests=(_test("qcis", "2026-11-19", outcome="failed"),))
    finding = _finding(review, "qcis", "restore_tests")
    assert (finding.severity, finding.recommendation.key) == (Severity.CRITICAL, "rec.restore_failed")
    assert finding.measured.params["failed"] == 1


def test_earlier_failure_since_the_last_review_warns() -> None:
    tests = (_test("qcis", "2026-11-19", outcome="failed"), _test("qcis", "2026-11-20"))
    finding = _finding(_review("healthy-two-stanzas.json", tests=tests), "qcis", "restore_tests")
    assert (finding.severity, finding.recommendation.key) == (Severity.WARNING, "rec.restore_some_failed")


def test_failure_before_the_last_review_is_history() -> None:
    tests = (_test("qcis", "2026-09-01", outcome="failed"), _test("qcis", "2026-11-01"))
    review = _review("healthy-two-stanzas.json", tests=tests)
    assert _finding(review, "qcis", "restore_tests").severity == Severity.OK
    assert _finding(review, "qcis", "restore_tests").measured.key == "msg.restore_window_none"


def test_overdue_restore_test_warns() -> None:
    finding = _finding(
        _review("healthy-two-stanzas.json", tests=(_test("qcis", "2026-09-01"),)), "qcis", "restore_tests"
    )
    assert (finding.severity, finding.recommendation.key) == (Severity.WARNING, "rec.restore_overdue")


@pytest.mark.parametrize(
    ("minutes", "gib", "severity"),
    [
        (60, 100, Severity.OK),  # 350 GiB projected at 3.5 h: within 75% of 8 h
        (70, 50, Severity.CRITICAL),  # projected 8 h 10 min: beyond the RTO
        (55, 50, Severity.WARNING),  # projected 6 h 25 min: more than 75% of the RTO (6 h)
        (500, 2, Severity.CRITICAL),  # too small to project, but the restore itself took 8 h 20 min
    ],
)
def test_rto_against_measured_and_projected_restores(minutes: float, gib: float, severity: Severity) -> None:
    review = _review(
        "healthy-two-stanzas.json", tests=(_test("qcis", "2026-11-20", minutes=minutes, gib=gib),)
    )
    assert _finding(review, "qcis", "rto").severity == severity


def test_small_restores_are_not_projected() -> None:
    finding = _finding(_review("healthy-two-stanzas.json"), "qcis", "rto")
    assert finding.measured.key == "msg.rto_measured_small"


def test_invalid_records_and_overdue_reviews_are_policy_findings() -> None:
    policy = dataclasses.replace(_lab_policy(), reviews=_lab_policy().reviews[:2])  # newest 2025-11-19
    review = _review("healthy-two-stanzas.json", policy=policy, problems=("restore-tests/x.json: not JSON",))
    checks = [(f.check, f.severity, f.measured.key) for f in review.findings]
    assert checks == [
        ("reviews", Severity.WARNING, "msg.review_overdue"),
        ("records", Severity.WARNING, "msg.record_invalid"),
    ]
    assert review.severity == Severity.WARNING
