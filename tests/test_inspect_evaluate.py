"""Findings from recorded output: each threshold, each component, declared services, skipped checks."""

# Chinese expectations use full-width punctuation, as the labels do.
# ruff: noqa: RUF001

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inspect_fixtures import (
    PGBACKREST,
    RECORDED_AT,
    collected,
    fact,
    host,
    recorded,
    replace_sections,
    section,
)
from medops.backup.restore_tests import RestoreTest
from medops.backup.review import Severity
from medops.inspect.evaluate import (
    Assessment,
    Context,
    Finding,
    Previous,
    assess,
    declared_services,
    limit_msg,
    percent,
)
from medops.inspect.parse import parse_fact
from medops.inspect.thresholds import Limit, Thresholds, defaults, thresholds_for
from medops.inspect.trend import Forecast
from medops.report.labels import render

NOW = RECORDED_AT
LAB_SCHEDULES = {
    system: {
        "full": "Sun *-*-* 01:00:00",
        "diff": "Mon..Sat *-*-* 01:00:00",
        "incr": "*-*-* 13:00:00",
        "verify": "Sat *-*-* 04:00:00",
        "restore_test": "*-*-01 03:00:00",
    }
    for system in ("qcis", "chfms")
}


def _assess(
    output: str, thresholds: Thresholds | None = None, error: str = "", **context: object
) -> Assessment:
    data = host(output) if output else None
    return assess(
        collected(output, error=error),
        data,
        thresholds or defaults(),
        Context(now=NOW, since=NOW - timedelta(days=7), **context),  # type: ignore[arg-type]
    )


def _find(assessment: Assessment, check: str, subject: str = "") -> Finding:
    found = [f for f in assessment.findings if f.check == check and f.subject == subject]
    assert len(found) == 1, [(f.check, f.subject) for f in assessment.findings]
    return found[0]


def _worded(finding: Finding) -> tuple[str, str, str]:
    return (
        render(finding.measured, "en"),
        render(finding.threshold, "en"),
        render(finding.recommendation, "en"),
    )


def test_full_disk_is_critical_and_a_read_only_mount_is_not_judged() -> None:
    result = _assess(recorded("bare-full-disk.out"))
    full = _find(result, "disk", "/mnt/fill")
    assert full.severity == Severity.CRITICAL and full.value == 1.0
    measured, threshold, recommendation = _worded(full)
    assert measured == "100% used (8.0 MiB of 8.0 MiB, 0 B free)"
    assert threshold == "warning at 80%, critical at 90%"
    assert recommendation.startswith("Free space on /mnt/fill")
    media = _find(result, "disk", "/mnt/media")
    assert media.severity == Severity.OK and "read-only" in render(media.measured, "en")
    # Ignored mounts (/dev, /proc/*, /sys/*) give no finding at all.
    assert not [
        f for f in result.findings if f.subject in ("/dev", "/dev/shm", "/proc/acpi", "/sys/firmware")
    ]


def test_bare_host_skips_what_it_does_not_run() -> None:
    result = _assess(recorded("bare-full-disk.out"))
    assert _find(result, "fact").severity == Severity.WARNING  # never converged
    skipped = {f.check for f in result.findings if f.skipped}
    assert {"time_sync", "last_patch", "pg_accepting", "backup_stanza", "app_health"} <= skipped
    for finding in result.findings:
        if finding.skipped:
            assert finding.severity == Severity.OK
    assert (
        render(_find(result, "pg_accepting").measured, "en")
        == "skipped: PostgreSQL is not deployed on this host"
    )
    assert render(_find(result, "last_patch").measured, "en").startswith("never recorded")
    assert _find(result, "swap").severity == Severity.OK  # no swap: not judged
    assert _find(result, "journal_errors").value == 2.0


def test_declared_services_come_from_the_local_fact() -> None:
    app = parse_fact(fact("app-host-patched.json"))
    assert declared_services(app) == [
        ("chrony.service", "base"),
        ("ssh.service", "base"),
        ("nftables.service", "base"),
        ("qcis-app.service", "app"),
        ("nginx.service", "nginx"),
    ]
    db = parse_fact(fact("db-host.json"))
    assert declared_services(db, ["postgresql-exporter.service"]) == [
        ("chrony.service", "base"),
        ("ssh.service", "base"),
        ("nftables.service", "base"),
        ("postgresql@15-main.service", "postgresql"),
        ("pgbackrest-server.service", "pgbackrest"),
        ("restic-backup.timer", "restic"),
        ("postgresql-exporter.service", "inventory"),
    ]
    repository = parse_fact(fact("repository-host.json"))
    units = [u for u, _ in declared_services(repository)]
    assert "pgbackrest-qcis-verify.timer" in units and "pgbackrest-chfms-incr.timer" in units
    assert "restic-backup.timer" not in units  # the restic repository side runs no timer
    assert declared_services(None) == []


def test_app_host_missing_baseline_units_healthy_app_and_a_certificate_close_to_expiry() -> None:
    result = _assess(recorded("app-host.out"))
    assert _find(result, "service", "chrony.service").severity == Severity.CRITICAL
    assert (
        render(_find(result, "service", "chrony.service").measured, "en")
        == "not installed: systemd has no such unit"
    )
    assert _find(result, "service", "nginx.service").severity == Severity.OK
    assert _find(result, "service", "qcis-app.service").severity == Severity.OK
    # The base role is recorded but chrony is not installed: critical, not skipped.
    assert _find(result, "time_sync").severity == Severity.CRITICAL
    health = _find(result, "app_health", "qcis")
    assert health.severity == Severity.OK
    assert render(health.measured, "en").startswith("HTTP 200, status ok: version 1.1.0")
    leaf = _find(result, "certificate", "/etc/nginx/medops-tls/medops-qcis.crt")
    assert leaf.severity == Severity.WARNING and leaf.value == pytest.approx(19.998, abs=0.01)
    assert _find(result, "certificate", "/etc/nginx/medops-tls/medops-qcis.crt#2").severity == Severity.OK
    version = _find(result, "app_version", "qcis")
    assert render(version.measured, "en") == "1.1.0; no deploy record"


def test_stopped_nginx_is_the_right_finding() -> None:
    result = _assess(recorded("app-host-nginx-stopped.out"))
    nginx = _find(result, "service", "nginx.service")
    assert nginx.severity == Severity.CRITICAL
    assert render(nginx.measured, "en") == "inactive (dead), unit file enabled"
    assert render(nginx.recommendation, "en").startswith("Start it (systemctl start nginx.service)")
    health = _find(result, "app_health", "qcis")
    assert health.severity == Severity.CRITICAL
    assert "Connection refused" in render(health.measured, "en")


def test_unreachable_host_is_one_critical_finding() -> None:
    result = _assess("", error="docker exited with 1: Error response from daemon: No such container: ghost")
    assert [(f.check, f.severity) for f in result.findings] == [("reachable", Severity.CRITICAL)]
    assert "No such container" in render(result.findings[0].measured, "en")


def test_threshold_override_from_inventory() -> None:
    limits = thresholds_for({"inspection_thresholds": {"disk_used": {"warning": 0.05, "critical": 0.5}}})
    result = _assess(recorded("bare-full-disk.out"), limits)
    assert _find(result, "disk", "/").severity == Severity.WARNING  # 31% is past 5%
    assert render(_find(result, "disk", "/").threshold, "en") == "warning at 5.0%, critical at 50%"


def _db_output(postgresql: str) -> str:
    return replace_sections(
        recorded("bare-full-disk.out"),
        {"postgresql": (postgresql, 0), "fact": (fact("db-host.json"), 0)},
    )


def test_postgresql_archiver_failing_is_critical() -> None:
    result = _assess(_db_output(section("postgresql-archiver-failing.txt")))
    assert _find(result, "pg_accepting", "15/main").severity == Severity.OK
    archiver = _find(result, "pg_archiver", "15/main")
    assert archiver.severity == Severity.CRITICAL
    assert render(archiver.measured, "en").startswith(
        "failing: last failure 1 s ago (000000010000000000000001)"
    )
    assert _find(result, "pg_connections", "15/main").severity == Severity.OK
    sizes = _find(result, "pg_databases", "15/main")
    assert render(sizes.measured, "en") == "14.6 MiB in all: postgres 7.3 MiB, qcis 7.3 MiB"
    assert (
        _find(result, "service", "postgresql@15-main.service").severity == Severity.CRITICAL
    )  # not in units


def test_postgresql_busy_connections_and_an_old_transaction() -> None:
    result = _assess(_db_output(section("postgresql-busy.txt")))
    connections = _find(result, "pg_connections", "15/main")
    assert connections.severity == Severity.CRITICAL and connections.value == pytest.approx(88 / 97)
    assert render(connections.measured, "en") == "88 of 97 (91%)"
    transaction = _find(result, "pg_transactions", "15/main")
    assert transaction.severity == Severity.WARNING and transaction.value == 150
    archiver = _find(result, "pg_archiver", "15/main")
    assert archiver.severity == Severity.OK  # failures in the past, the newest attempt succeeded


def test_postgresql_binaries_without_a_cluster_are_skipped_unless_declared() -> None:
    restore_host = replace_sections(recorded("bare-full-disk.out"), {"postgresql": ("", 0)})
    assert _find(_assess(restore_host), "pg_accepting").skipped
    declared = replace_sections(restore_host, {"fact": (fact("db-host.json"), 0)})
    assert _find(_assess(declared), "pg_accepting").severity == Severity.CRITICAL


def test_postgresql_down() -> None:
    result = _assess(_db_output(section("postgresql-down.txt")))
    down = _find(result, "pg_accepting", "15/main")
    assert down.severity == Severity.CRITICAL
    assert render(down.recommendation, "en").startswith(
        "Start PostgreSQL (systemctl start postgresql@15-main.service)"
    )


def _repository_output(units: str = section("units-repository.txt")) -> str:
    return replace_sections(
        recorded("bare-full-disk.out"),
        {
            "pgbackrest": ((PGBACKREST / "healthy-two-stanzas.json").read_text(), 0),
            "fact": (fact("repository-host.json"), 0),
            "units": (units, 0),
        },
    )


def _restore(system: str, day: str, outcome: str = "passed") -> RestoreTest:
    start = datetime.fromisoformat(f"{day}T03:00:00+08:00")
    return RestoreTest(
        system,
        start,
        start + timedelta(minutes=5),
        300,
        "20261115-010004F",
        1 << 30,
        outcome,
        "-",
        f"{system}.json",
    )


def test_repository_host_backups_verify_and_restore_tests() -> None:
    tests = (_restore("qcis", "2026-11-01"), _restore("chfms", "2026-11-01", "failed"))
    result = _assess(_repository_output(), schedules=LAB_SCHEDULES, restore_tests=tests)
    for stanza in ("qcis", "chfms"):
        assert _find(result, "backup_stanza", stanza).severity == Severity.OK
        assert _find(result, "backup_full", stanza).severity == Severity.OK
        assert _find(result, "backup_diff", stanza).severity == Severity.OK
        assert _find(result, "backup_incr", stanza).severity == Severity.OK
    incr = _find(result, "backup_incr", "qcis")
    assert render(incr.threshold, "en") == (
        "warning at 1 d 12 h, critical at 3 d (backup policy *-*-* 13:00:00: longest gap 1 d)"
    )
    assert _find(result, "backup_verify", "qcis").severity == Severity.OK
    failed_verify = _find(result, "backup_verify", "chfms")
    assert failed_verify.severity == Severity.CRITICAL
    assert render(failed_verify.measured, "en").startswith("exit-code")
    assert _find(result, "restore_test", "qcis").severity == Severity.OK
    assert _find(result, "restore_test", "chfms").severity == Severity.CRITICAL


def test_repository_host_without_a_policy_uses_the_inventory_limits() -> None:
    result = _assess(_repository_output(), restore_tests=())
    full = _find(result, "backup_full", "qcis")
    assert (
        render(full.threshold, "en")
        == "warning at 8 d, critical at 16 d (inspection_thresholds.backup_full_age_hours)"
    )
    restore = _find(result, "restore_test", "qcis")
    assert (
        restore.severity == Severity.WARNING and render(restore.measured, "en") == "no restore test recorded"
    )


def test_a_missing_stanza_and_a_policy_without_incrementals() -> None:
    schedules = {name: {k: v for k, v in jobs.items() if k != "incr"} for name, jobs in LAB_SCHEDULES.items()}
    output = replace_sections(
        _repository_output(),
        {
            "pgbackrest": (
                (PGBACKREST / "healthy-two-stanzas.json").read_text().replace('"chfms"', '"other"'),
                0,
            )
        },
    )
    result = _assess(output, schedules=schedules)
    assert _find(result, "backup_stanza", "chfms").severity == Severity.CRITICAL
    assert not [f for f in result.findings if f.check == "backup_incr" and f.subject == "qcis"]
    # A stanza the policy does not name is judged by the inventory's limits.
    assert render(_find(result, "backup_incr", "other").threshold, "en").endswith(
        "(inspection_thresholds.backup_incr_age_hours)"
    )


def test_security_updates_and_stale_package_lists() -> None:
    output = replace_sections(
        recorded("bare-full-disk.out"),
        {"apt": (section("apt-pending.txt"), 0), "aptlists": (section("aptlists.txt"), 0)},
    )
    result = _assess(output)
    security = _find(result, "security_updates")
    assert security.severity == Severity.WARNING and security.value == 4
    assert render(security.measured, "en").startswith("4: libssl3, openssl, linux-image-6.1.0-37-amd64")
    assert _find(result, "pending_updates").severity == Severity.OK
    lists = _find(result, "package_lists")
    assert lists.severity == Severity.OK and lists.value == pytest.approx(3.56, abs=0.01)
    stale = assess(collected(output), host(output), defaults(), Context(now=NOW + timedelta(days=10)))
    assert _find(stale, "package_lists").severity == Severity.WARNING


def test_days_since_last_patch() -> None:
    output = replace_sections(recorded("app-host.out"), {"fact": (fact("app-host-patched.json"), 0)})
    assert _find(_assess(output), "last_patch").severity == Severity.OK
    later = assess(
        collected(output), host(output), defaults(), Context(now=NOW + timedelta(days=100), since=NOW)
    )
    patch = _find(later, "last_patch")
    assert patch.severity == Severity.WARNING and render(patch.measured, "en") == "164 days ago (2026-09-20)"
    much_later = assess(collected(output), host(output), defaults(), Context(now=NOW + timedelta(days=150)))
    assert _find(much_later, "last_patch").severity == Severity.CRITICAL


def test_expired_certificates_are_critical() -> None:
    result = _assess(
        replace_sections(recorded("bare-full-disk.out"), {"certs": (section("certs-expired.txt"), 0)})
    )
    expired = _find(result, "certificate", "/etc/postgresql/15/main/tls/server.crt")
    assert expired.severity == Severity.CRITICAL
    assert render(expired.measured, "en").startswith("CN=qcis-db1: EXPIRED 2026-11-01 10:00 (UTC+8), 21 d")
    assert _find(result, "certificate", "/etc/nginx/medops-tls/broken.crt").severity == Severity.CRITICAL
    assert _find(result, "certificate", "/etc/pgbackrest/tls/ca.crt").severity == Severity.OK


@pytest.mark.parametrize(
    ("fixture", "rc", "severity", "start"),
    [
        ("chrony-synchronised.txt", 0, Severity.OK, "synchronised to AC1E4D33 (172.30.77.51), stratum 11"),
        (
            "chrony-offset.txt",
            0,
            Severity.CRITICAL,
            "synchronised to 0A14007B (10.20.0.123), stratum 3, offset 1.50",
        ),
        (
            "chrony-unsynchronised.txt",
            0,
            Severity.CRITICAL,
            "not synchronised (leap status: Not synchronised)",
        ),
        ("chrony-not-running.txt", 1, Severity.CRITICAL, "chronyd is not running"),
    ],
)
def test_time_synchronisation(fixture: str, rc: int, severity: Severity, start: str) -> None:
    output = replace_sections(recorded("app-host.out"), {"chrony": (section(fixture), rc)})
    finding = _find(_assess(output), "time_sync")
    assert finding.severity == severity
    assert render(finding.measured, "en").startswith(start)


def test_journal_errors_since_the_previous_inspection() -> None:
    output = replace_sections(recorded("bare-full-disk.out"), {"journal": (section("journal-errors.txt"), 0)})
    finding = _find(_assess(output), "journal_errors")
    assert finding.severity == Severity.WARNING
    measured, _, recommendation = _worded(finding)
    assert "57 since 2026-11-15 22:51 (UTC+8)" in measured
    assert "pgbackrest-qcis-full (41)" in measured
    assert f"--since @{int((NOW - timedelta(days=7)).timestamp())}" in recommendation


def test_failed_units_that_are_not_declared() -> None:
    output = replace_sections(recorded("bare-full-disk.out"), {"failed": (section("failed-units.txt"), 0)})
    finding = _find(_assess(output), "failed_units")
    assert finding.severity == Severity.WARNING and finding.value == 2


def test_forecast_and_reboot_since_the_previous_inspection() -> None:
    data = host(recorded("bare-full-disk.out"))
    assert data.meta is not None and data.uptime is not None
    boot = datetime.fromtimestamp(data.meta.now - data.uptime, UTC)
    context = Context(
        now=NOW,
        previous=Previous(NOW - timedelta(days=7), boot - timedelta(days=30)),
        since=NOW - timedelta(days=7),
        forecasts={"/": Forecast("/", 4, 12e9 / 7, 5.0)},
    )
    result = assess(collected(recorded("bare-full-disk.out")), data, defaults(), context)
    forecast = _find(result, "disk_forecast", "/")
    assert forecast.severity == Severity.CRITICAL
    assert render(forecast.measured, "en") == "full in 5 d at 11.2 GiB a week (trend over 4 inspections)"
    uptime = _find(result, "uptime")
    assert uptime.severity == Severity.OK and "restarted since the previous inspection" in render(
        uptime.measured, "en"
    )


def test_limit_wording_in_both_languages() -> None:
    assert render(limit_msg(Limit(0.8, 0.9), "ratio"), "zh-CN") == "达到 80% 警告，达到 90% 严重"
    assert (
        render(limit_msg(Limit(30, 7, higher_is_worse=False), "days"), "en")
        == "warning below 30 d, critical below 7 d"
    )
    assert render(limit_msg(Limit(None, 5), "count"), "en") == "critical at 5"
    assert render(limit_msg(Limit(None, None), "count"), "en") == "not judged (both levels off)"
    assert render(limit_msg(Limit(0.1, 1.0), "seconds"), "zh-CN") == "达到 0.1 秒 警告，达到 1 秒 严重"
    assert percent(0.075) == "7.5%" and percent(0.5) == "50%" and percent(0) == "0%"
