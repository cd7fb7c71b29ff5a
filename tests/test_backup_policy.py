"""The backup policy: the real files, every malformed example, review compliance and the OnCalendar checks."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest

from medops.backup.oncalendar import (
    CalendarError,
    calendar_problem,
    first_collision,
    parse_calendar,
    schedule_gaps,
)
from medops.backup.policy import (
    Policy,
    PolicyFileError,
    Review,
    check_policy_file,
    check_reviews,
    inventory_groups,
    parse_policy_yaml,
    policy_path,
    read_policy_file,
    validate_policy,
)

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "tests" / "data" / "policies"
TODAY = date(2026, 11, 22)

# Every malformed file with the one line it must produce. The files break one thing of valid.yml each.
MALFORMED = {
    "bad-oncalendar.yml": "systems.qcis.schedule.full 'Sun *-*-* 25:00:00' is not a valid OnCalendar "
    "expression: hour 25 is out of range 0..23",
    "bad-weekday.yml": "systems.qcis.schedule.diff 'Mo..Sat *-*-* 01:00:00' is not a valid OnCalendar "
    "expression: unknown weekday 'Mo' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
    "schedule-collision.yml": "systems.qcis.schedule.diff fires together with systems.qcis.schedule.full "
    "(for example Sun 01:00); pgBackRest runs one backup per stanza at a time, so one of them would fail",
    "retention-zero.yml": "systems.qcis.retention.full is 0; keep at least 1 full backup",
    "archive-full-too-many.yml": "systems.qcis.retention.archive_full is 5, more than retention.full (4); "
    "WAL cannot outlive its backups",
    "missing-rto.yml": "systems.qcis.rto_hours is missing",
    "rto-not-a-number.yml": "systems.qcis.rto_hours is 'eight'; expected a number",
    "negative-rpo.yml": "systems.qcis.rpo_minutes is -5; it must be more than 0 minutes",
    "unknown-compress.yml": "repository.compress_type is 'xz'; expected one of zst, lz4, gz, none",
    "compress-level-out-of-range.yml": "repository.compress_level is 30; zst takes -7..22",
    "process-max-zero.yml": "repository.process_max_backup is 0; at least 1 process is needed",
    "plain-passphrase.yml": "repository.cipher_pass must refer to a vault variable "
    '("{{ vault_pgbackrest_repo_cipher_pass }}"), never hold the passphrase',
    "unknown-field.yml": "systems.qcis.retention.keep is not a policy field "
    "(known: full, diff, archive_full)",
    "review-date-malformed.yml": "reviews[3].date is '2026-13-17', not a real date (month must be in 1..12)",
    "review-date-not-iso.yml": "reviews[3].date is '17.11.2026'; expected a date as YYYY-MM-DD",
    "next-due-before-date.yml": "reviews[3].next_due 2026-11-10 is not after the review's date 2026-11-17",
    "next-due-too-far.yml": "reviews[3].next_due 2027-11-17 is 365 days after the review; "
    "reviews are due at least every 184 days",
    "reviewer-empty.yml": "reviews[3].reviewer is empty; expected some text",
    "no-reviews.yml": "reviews is empty: the policy has never been reviewed; record a review "
    "(docs/backup-policy.md)",
    "systems-empty.yml": "systems is empty; the policy must cover at least one system",
    "not-a-mapping.yml": "backup_policy is a list; expected a mapping",
    "no-variable.yml": "{path} does not define backup_policy",
}


def _valid() -> Policy:
    value, problems = read_policy_file(POLICIES / "valid.yml")
    assert problems == []
    policy, problems = validate_policy(value)
    assert problems == [] and policy is not None
    return policy


def _reviews(*days: str) -> tuple[Review, ...]:
    return tuple(
        Review(date.fromisoformat(d), "li.na", "-", date.fromisoformat(d) + timedelta(days=180)) for d in days
    )


# --- The real policies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["lab", "production"])
def test_real_policy_passes_as_of_2026_11_22(env: str) -> None:
    inventory = ROOT / "inventory" / env
    result = check_policy_file(policy_path(inventory), TODAY, inventory_groups(inventory))
    assert result.problems == ()
    assert result.policy is not None
    assert [s.name for s in result.policy.systems] == ["qcis", "chfms"]
    assert {s.name: s.rto_hours for s in result.policy.systems} == {"qcis": 8, "chfms": 4}
    vault_reference = "{{ vault_pgbackrest_repo_cipher_pass }}"
    assert result.policy.repository.cipher_pass == vault_reference


def test_production_schedule_is_the_agreed_one() -> None:
    result = check_policy_file(policy_path(ROOT / "inventory" / "production"), TODAY)
    assert result.policy is not None
    for system in result.policy.systems:
        assert system.schedule.full == "Sun *-*-* 01:00:00"
        assert system.schedule.diff == "Mon..Sat *-*-* 01:00:00"
        assert system.schedule.incr == "*-*-* 08..20:00:00"
        assert system.schedule.verify == "Sat *-*-* 04:00:00"
        assert system.schedule.restore_test == "*-*-01 03:00:00"
        assert (system.retention.full, system.retention.diff) == (4, 14)


@pytest.mark.parametrize("env", ["lab", "production"])
def test_every_policy_field_has_its_comment(env: str) -> None:
    """docs/backup-policy.md documents each field; the file itself says what each value is for."""
    text = policy_path(ROOT / "inventory" / env).read_text()
    body = text[text.index("backup_policy:\n") + len("backup_policy:\n") : text.index("  reviews:")]
    for line in body.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert " # " in line or line.rstrip().endswith("#"), f"{env}: no comment on {line.strip()!r}"


# --- Malformed policies --------------------------------------------------------------------------------


def test_every_malformed_file_is_tested() -> None:
    files = {p.name for p in POLICIES.glob("*.yml")} - {"valid.yml"}
    assert files == set(MALFORMED)
    assert len(files) >= 10


def test_valid_policy_has_no_problem() -> None:
    assert check_policy_file(POLICIES / "valid.yml", TODAY).problems == ()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_policy_gives_its_one_line(name: str) -> None:
    path = POLICIES / name
    result = check_policy_file(path, TODAY)
    assert list(result.problems) == [MALFORMED[name].replace("{path}", str(path))]
    # A policy never reviewed is well-formed: only its review record falls short.
    assert (result.policy is not None) == (name == "no-reviews.yml")


def test_yaml_that_cannot_be_read_is_one_line() -> None:
    """Kept inline rather than as files, so that yamllint and ansible-lint over the repository stay quiet."""
    valid = (POLICIES / "valid.yml").read_text()
    broken = valid.replace("      rpo_minutes: 15\n", "      rpo_minutes: 15\n     rto: [\n")
    assert parse_policy_yaml(broken, "policy.yml") == (
        None,
        [
            "policy.yml is not valid YAML (line 17, column 6): "
            "expected <block end>, but found '<block mapping start>'"
        ],
    )
    twice = valid.replace("        diff: 14\n", "        diff: 14\n        full: 2\n")
    assert parse_policy_yaml(twice, "policy.yml") == (
        None,
        [
            "policy.yml is not valid YAML (line 28, column 9): "
            "duplicate key 'full' (the second would silently win)"
        ],
    )
    assert parse_policy_yaml("- a\n- b\n", "policy.yml") == (
        None,
        ["policy.yml does not hold a mapping of variables (it holds a list)"],
    )


def test_problems_are_all_collected() -> None:
    value, _ = read_policy_file(POLICIES / "valid.yml")
    assert isinstance(value, dict)
    broken = {**value, "version": 0, "owner": ""}
    broken["repository"] = {**value["repository"], "process_max_restore": True}
    _, problems = validate_policy(broken)
    assert problems == [
        "owner is empty; expected some text",
        "version is 0; policy versions start at 1",
        "repository.process_max_restore is true; expected a whole number",
    ]


def test_inventory_groups_must_exist() -> None:
    value, _ = read_policy_file(POLICIES / "valid.yml")
    _, problems = validate_policy(value, inventory_groups=["all", "chfms"])
    assert problems == ["systems.qcis names no group 'qcis' of the inventory (hosts.yml)"]


def test_vaulted_and_templated_values_stay_opaque() -> None:
    text = (
        (POLICIES / "valid.yml")
        .read_text()
        .replace(
            'cipher_pass: "{{ vault_pgbackrest_repo_cipher_pass }}"',
            "cipher_pass: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162",
        )
    )
    value, problems = parse_policy_yaml(text, "inline")
    assert problems == []
    policy, problems = validate_policy(value)
    assert problems == [] and policy is not None
    assert policy.repository.cipher_pass == "<vaulted>"  # noqa: S105 - the opaque stand-in, not a secret


def test_missing_and_unreadable_files_raise(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no backup policy at"):
        read_policy_file(tmp_path / "absent.yml")
    with pytest.raises(PolicyFileError, match="cannot read the backup policy"):
        read_policy_file(tmp_path)
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PolicyFileError, match="cannot read the backup policy"):
        read_policy_file(binary)


# --- Review compliance ---------------------------------------------------------------------------------


def test_reviews_ok() -> None:
    assert check_reviews(_valid(), TODAY) == []


def test_no_review_at_all() -> None:
    policy = dataclasses.replace(_valid(), reviews=())
    assert check_reviews(policy, TODAY) == [
        "reviews is empty: the policy has never been reviewed; record a review (docs/backup-policy.md)"
    ]


def test_overdue_review() -> None:
    policy = dataclasses.replace(_valid(), reviews=_reviews("2025-03-01", "2025-09-01", "2026-03-01"))
    assert check_reviews(policy, TODAY) == [
        "reviews: the newest review (2026-03-01) is 266 days old; a review is due at least every 184 days"
    ]


def test_184_days_is_the_limit() -> None:
    policy = dataclasses.replace(_valid(), reviews=_reviews("2026-05-22"))
    assert check_reviews(policy, date(2026, 5, 22) + timedelta(days=184)) == []
    assert check_reviews(policy, date(2026, 5, 22) + timedelta(days=185)) == [
        "reviews: the newest review (2026-05-22) is 185 days old; a review is due at least every 184 days"
    ]


def test_a_completed_year_with_one_review() -> None:
    policy = dataclasses.replace(
        _valid(), reviews=_reviews("2024-06-01", "2025-01-10", "2025-07-01", "2026-01-05", "2026-07-01")
    )
    assert check_reviews(policy, TODAY) == [
        "reviews: 2024 had 1 review (2024-06-01); every calendar year needs at least 2"
    ]


def test_the_current_year_is_judged_by_the_184_day_rule_until_it_ends() -> None:
    policy = dataclasses.replace(_valid(), reviews=_reviews("2025-06-02", "2025-12-01", "2026-09-01"))
    assert check_reviews(policy, TODAY) == []  # 2026 has one review so far, and it is recent
    assert check_reviews(policy, date(2027, 1, 4)) == [
        "reviews: 2026 had 1 review (2026-09-01); every calendar year needs at least 2"
    ]


def test_a_review_dated_in_the_future_does_not_count() -> None:
    policy = dataclasses.replace(_valid(), reviews=_reviews("2026-06-01", "2026-12-24"))
    assert check_reviews(policy, TODAY) == [
        "reviews: the review dated 2026-12-24 is after today (2026-11-22); it does not count yet"
    ]


# --- OnCalendar ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Sun *-*-* 01:00:00",
        "Mon..Sat *-*-* 01:00:00",
        "*-*-* 08..20:00:00",
        "*-*-01 03:00:00",
        "Sat,Sun 04:00",
        "Mon-Fri *-*-* 07..19/2:30",
        "*-*-* */2:00:00",
        "*-02~01 00:00:00",
        "2026-11-* 00:00:00",
        "hourly",
        "Daily",
        "weekly",
        "monthly",
        "quarterly",
        "semiannually",
        "Wed",
        "12:15",
        "Mon *-*-* 01:00:00 Asia/Shanghai",
        "*-*-* 01:00:00.250 UTC",
    ],
)
def test_valid_oncalendar(expression: str) -> None:
    assert calendar_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("", "the expression is empty"),
        ("Sun *-*-* 25:00:00", "hour 25 is out of range 0..23"),
        ("*-*-* 01:60", "minute 60 is out of range 0..59"),
        ("*-13-01", "month 13 is out of range 1..12"),
        ("*-*-32", "day 32 is out of range 1..31"),
        ("Mo..Sat 01:00", "unknown weekday 'Mo' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"),
        ("Sat..Mon 01:00", "weekday range 'Sat..Mon' runs backwards (weeks start on Monday)"),
        ("*-*-* 20..08:00", "hour range '20..08' runs backwards"),
        ("*-*-* */0:00", "hour repetition '*/0' must be at least 1"),
        ("*-*-* 1h:00", "hour '1h' is not a number, a range (a..b), a repetition (a/n) or *"),
        ("daily at 01:00", "unknown weekday 'daily' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"),
        ("01:00 *-*-*", "unexpected '*-*-*' (expected [weekdays] [year-]month-day hour:minute[:second])"),
        ("*-*-* 1:2:3:4", "time '1:2:3:4' is not hour:minute[:second]"),
        ("*-02-30", "it never fires (no date matches all of its parts)"),
    ],
)
def test_invalid_oncalendar(expression: str, problem: str) -> None:
    assert calendar_problem(expression) == problem


def test_parse_gives_the_component_sets() -> None:
    spec = parse_calendar("Mon..Sat *-*-* 08..20/4:15")
    assert spec.weekdays == frozenset(range(6))
    assert spec.hours == frozenset({8, 12, 16, 20})
    assert spec.minutes == frozenset({15})
    with pytest.raises(CalendarError):
        parse_calendar("Sun *-*-* 24:00")


@pytest.mark.parametrize(
    ("expression", "shortest", "longest"),
    [
        ("Sun *-*-* 01:00:00", timedelta(days=7), timedelta(days=7)),
        ("Mon..Sat *-*-* 01:00:00", timedelta(days=1), timedelta(days=2)),
        ("*-*-* 08..20:00:00", timedelta(hours=1), timedelta(hours=12)),
        ("*-*-01 03:00:00", timedelta(days=28), timedelta(days=31)),
        ("hourly", timedelta(hours=1), timedelta(hours=1)),
        ("weekly", timedelta(days=7), timedelta(days=7)),
    ],
)
def test_schedule_gaps(expression: str, shortest: timedelta, longest: timedelta) -> None:
    gaps = schedule_gaps(expression)
    assert gaps is not None
    assert (gaps.shortest, gaps.longest) == (shortest, longest)


def test_collisions() -> None:
    assert first_collision("Sun *-*-* 01:00:00", "Mon..Sat *-*-* 01:00:00") is None
    assert first_collision("Sun *-*-* 01:00:00", "*-*-* 08..20:00:00") is None
    clash = first_collision("Sun *-*-* 01:00:00", "daily")
    assert clash is None
    clash = first_collision("Sun *-*-* 01:00:00", "*-*-* 01:00")
    assert clash is not None and clash.weekday() == 6 and clash.hour == 1
