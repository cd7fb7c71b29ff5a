"""The inspection's parsers fed with recorded command output, odd cases included."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from inspect_fixtures import PGBACKREST, compose, fact, host, recorded, section
from medops.inspect.parse import (
    ParseError,
    combine_mounts,
    parse_apt,
    parse_apt_lists,
    parse_certs,
    parse_chrony,
    parse_cpu,
    parse_df,
    parse_df_inodes,
    parse_fact,
    parse_failed_units,
    parse_health,
    parse_journal,
    parse_meminfo,
    parse_mounts,
    parse_openssl_date,
    parse_postgresql,
    parse_reboot,
    parse_units,
    split_sections,
)

SECTION_NAMES = {
    "meta",
    "cpu",
    "meminfo",
    "uptime",
    "df",
    "dfi",
    "mounts",
    "fact",
    "systemd",
    "failed",
    "units",
    "chrony",
    "reboot",
    "apt",
    "aptlists",
    "journal",
    "certs",
    "postgresql",
    "pgbackrest",
    "health",
}


@pytest.mark.parametrize(
    "name", ["bare-full-disk.out", "app-host.out", "app-host-nginx-stopped.out", "bare-debian13.out"]
)
def test_recorded_outputs_have_every_section(name: str) -> None:
    sections = split_sections(recorded(name), "fixture")
    assert set(sections) == SECTION_NAMES
    assert host(recorded(name)).problems == ()


def test_markers_of_another_run_are_content_not_sections() -> None:
    output = compose({"meta": ("now=1\nuid=0\n==MEDOPS other end meta 0", 0)})
    sections = split_sections(output, "fixture")
    assert sections["meta"].text.endswith("==MEDOPS other end meta 0")


def test_a_cut_off_section_is_left_out() -> None:
    output = "==MEDOPS fixture begin meta\nnow=1\n==MEDOPS fixture begin cpu\n2\n"
    assert split_sections(output, "fixture") == {}
    data = host(output)
    assert data.meta is None
    assert any("section meta is missing" in p for p in data.problems)


def test_bare_host_with_a_full_disk_and_a_read_only_mount() -> None:
    data = host(recorded("bare-full-disk.out"))
    assert data.meta is not None and data.meta.os_version == "12" and data.meta.uid == 0
    mounts = {m.mountpoint: m for m in data.mounts}
    full = mounts["/mnt/fill"]
    assert (full.size, full.used, full.available) == (8388608, 8388608, 0)
    assert full.used_ratio == 1.0 and not full.readonly
    media = mounts["/mnt/media"]
    assert media.readonly and media.used_ratio == pytest.approx(0.75)
    # Files docker bind-mounts (/etc/hosts) are not file systems: the script leaves them out.
    assert "/etc/hosts" not in mounts
    assert mounts["/"].inodes == 16777216 and mounts["/"].inode_ratio == pytest.approx(642660 / 16777216)
    # No swap, no chrony, no fact, no package lists: each reported as absent, not as an error.
    assert data.memory is not None and data.memory.swap_total == 0 and data.memory.swap_used_ratio is None
    assert data.time_sync is None and data.fact is None and data.apt_lists_at is None
    assert data.updates is not None and data.updates.pending == () and data.updates.error == ""
    assert data.journal is not None and data.journal.total == 2
    assert dict(data.journal.by_identifier) == {"root": 1, "backupd": 1}
    assert data.postgresql is None and data.pgbackrest is None and data.health is None
    assert data.systemd == "running" and data.failed_units == ()


def test_app_host_behind_nginx() -> None:
    data = host(recorded("app-host.out"))
    assert data.meta is not None and not data.meta.curl
    assert data.health is not None and data.health.tool == "python3" and data.health.ok
    assert data.health.body is not None and data.health.body["version"] == "1.1.0"
    chain = [(c.index, c.subject) for c in data.certificates]
    assert chain == [(1, "CN=inspect-dev-2"), (2, "CN=dev CA")]
    assert data.certificates[0].not_after == datetime(2026, 12, 12, 14, 49, 32, tzinfo=UTC)
    assert data.units["nginx.service"].running and data.units["nginx.service"].enabled
    assert not data.units["chrony.service"].installed
    assert data.fact is not None and data.fact.data("app") == {
        "port": "8000",
        "release": "1.1.0",
        "root": "/opt/qcis",
        "service": "qcis-app",
        "system": "qcis",
    }


def test_nginx_stopped() -> None:
    data = host(recorded("app-host-nginx-stopped.out"))
    unit = data.units["nginx.service"]
    assert (unit.active, unit.sub, unit.running) == ("inactive", "dead", False)
    assert data.health is not None and data.health.code == 0
    assert data.health.error == "<urlopen error [Errno 111] Connection refused>"


def test_debian_13_host() -> None:
    data = host(recorded("bare-debian13.out"))
    assert data.meta is not None and data.meta.os_version == "13"
    assert data.cpu is not None and data.cpu.count >= 1


def test_cpu_and_load() -> None:
    cpu = parse_cpu("4\n3.40 2.10 1.60 3/412 9981\n")
    assert (cpu.count, cpu.load1, cpu.load5, cpu.load15) == (4, 3.4, 2.1, 1.6)
    assert cpu.load15_per_cpu == pytest.approx(0.4)
    with pytest.raises(ParseError):
        parse_cpu("x\n")


def test_memory_with_swap_in_use() -> None:
    memory = parse_meminfo(section("meminfo-swap.txt"))
    assert memory.total == 8148112 * 1024
    assert memory.used_ratio == pytest.approx(1 - 602116 / 8148112)
    assert memory.swap_used_ratio == pytest.approx(1 - 314572 / 2097148)
    with pytest.raises(ParseError, match="MemAvailable"):
        parse_meminfo("MemTotal: 100 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")


def test_df_a_file_system_without_inodes_and_spaces_in_a_mount_point() -> None:
    df = parse_df(
        "Filesystem Type 1-blocks Used Available Capacity Mounted on\n"
        "/dev/sdb1 btrfs 1000 250 750 25% /srv/data archive\n"
    )
    assert df[0].mountpoint == "/srv/data archive"
    inodes = parse_df_inodes(
        "Filesystem Type Inodes IUsed IFree IUse% Mounted on\n/dev/sdb1 btrfs 0 0 0 - /srv\n"
    )
    assert inodes == {}
    options = parse_mounts("/dev/sdb1 /srv/data\\040archive btrfs ro,relatime 0 0\n")
    combined = combine_mounts(df, inodes, options)
    assert combined[0].readonly and combined[0].inode_ratio is None
    with pytest.raises(ParseError):
        parse_df("Filesystem Type\n/dev/sda1 ext4 100\n")


def test_units_and_verify_results() -> None:
    units = parse_units(section("units-repository.txt"))
    good, bad = units["pgbackrest-qcis-verify.service"], units["pgbackrest-chfms-verify.service"]
    assert good.result == "success" and good.exit_status == 0
    assert good.exited_at == datetime.fromtimestamp(1795029612, UTC)
    assert bad.result == "exit-code" and bad.exit_status == 1 and bad.active == "failed"
    assert units["pgbackrest-qcis-full.timer"].running and units["pgbackrest-qcis-full.timer"].enabled
    assert parse_failed_units(section("failed-units.txt")) == [
        "pgbackrest-qcis-full.service",
        "restic-backup.service",
    ]


@pytest.mark.parametrize(
    ("fixture", "rc", "state", "offset"),
    [
        ("chrony-synchronised.txt", 0, "synchronised", 0.000021873),
        ("chrony-offset.txt", 0, "synchronised", 1.503224001),
        ("chrony-unsynchronised.txt", 0, "unsynchronised", 0.0),
        ("chrony-not-running.txt", 1, "not running", None),
    ],
)
def test_chrony(fixture: str, rc: int, state: str, offset: float | None) -> None:
    sync = parse_chrony(section(fixture), rc)
    assert sync.state == state
    assert sync.offset == (pytest.approx(offset) if offset is not None else None)


def test_reboot_required() -> None:
    assert not parse_reboot("").required
    reboot = parse_reboot("required\nlibc6\nlinux-image-6.1.0-37-amd64\n")
    assert reboot.required and reboot.packages == ("libc6", "linux-image-6.1.0-37-amd64")


def test_pending_updates_security_apart() -> None:
    updates = parse_apt(section("apt-pending.txt"), 0)
    assert len(updates.pending) == 6
    assert [p.package for p in updates.security] == [
        "libssl3",
        "openssl",
        "linux-image-6.1.0-37-amd64",
        "postgresql-15",
    ]
    new = next(p for p in updates.pending if p.package.startswith("linux-image"))
    assert new.installed == "" and new.candidate == "6.1.140-1"
    libc = next(p for p in updates.pending if p.package == "libc6")
    assert (libc.installed, libc.candidate, libc.origin) == (
        "2.36-9+deb12u9",
        "2.36-9+deb12u10",
        "Debian:12.11/stable",
    )
    failed = parse_apt(section("apt-error.txt"), 100)
    assert failed.error == "The package lists or status file could not be parsed or opened."


def test_pending_updates_computed_by_python3_apt() -> None:
    # Recorded on a Debian 12 host whose lists were newer than its packages: the same lines apt-get prints.
    updates = parse_apt(section("apt-python3-apt.txt"), 0)
    assert len(updates.pending) == 14 and len(updates.security) == 14
    libssl = next(p for p in updates.pending if p.package == "libssl3")
    assert libssl.origin == "Debian-Security:12/oldstable-security" and libssl.installed == "3.0.20-1~deb12u2"


def test_package_lists_age() -> None:
    assert parse_apt_lists(section("aptlists.txt")) == 1795051234
    assert parse_apt_lists("") is None


def test_journal_with_no_entries_and_with_errors() -> None:
    empty = parse_journal(section("journal-empty.txt"), 0)
    assert empty.available and empty.total == 0 and empty.by_identifier == ()
    errors = parse_journal(section("journal-errors.txt"), 0)
    assert errors.total == 57
    assert errors.by_identifier[0] == ("pgbackrest-qcis-full", 41)
    absent = parse_journal("no journald on this host", 3)
    assert not absent.available and absent.reason == "no journald on this host"
    with pytest.raises(ParseError):
        parse_journal("garbage", 0)


def test_certificates_expired_unreadable_and_empty() -> None:
    certs = parse_certs(section("certs-expired.txt"))
    by_path = {c.path: c for c in certs}
    expired = by_path["/etc/postgresql/15/main/tls/server.crt"]
    assert expired.not_after == datetime(2026, 11, 1, 2, 0, tzinfo=UTC) and expired.subject == "CN=qcis-db1"
    assert by_path["/etc/nginx/medops-tls/broken.crt"].not_after is None
    assert by_path["/etc/nginx/medops-tls/broken.crt"].error == "Could not read certificate from <stdin>"
    assert by_path["/etc/nginx/medops-tls/empty.crt"].error == "no PEM certificate in the file"
    assert parse_openssl_date("Nov  1 02:00:00 2026 GMT") == datetime(2026, 11, 1, 2, tzinfo=UTC)
    with pytest.raises(ParseError):
        parse_openssl_date("2026-11-01")


def test_postgresql_archiver_failing_and_a_transaction() -> None:
    (cluster,) = parse_postgresql(section("postgresql-archiver-failing.txt"))
    assert cluster.id == "15/main" and cluster.accepting and cluster.service == "postgresql@15-main.service"
    assert (cluster.connections, cluster.max_connections, cluster.usable_connections) == (2, 100, 97)
    assert cluster.databases == (("postgres", 7634279), ("qcis", 7642471))
    archiver = cluster.archiver
    assert archiver is not None and archiver.failing and archiver.last_archived_at is None
    assert archiver.failed_count == 3 and archiver.last_failed_wal == "000000010000000000000001"
    assert cluster.transactions[0].age_seconds == 3 and cluster.transactions[0].database == "qcis"


def test_postgresql_busy_down_and_unreadable() -> None:
    (busy,) = parse_postgresql(section("postgresql-busy.txt"))
    assert busy.archiver is not None and not busy.archiver.failing
    assert busy.transactions[0].state == "idle in transaction" and busy.transactions[0].age_seconds == 9000
    (down,) = parse_postgresql(section("postgresql-down.txt"))
    assert not down.accepting and down.isready == 2 and down.status == "down"
    (starting,) = parse_postgresql(section("postgresql-psql-error.txt"))
    assert starting.accepting and starting.connections is None
    assert starting.errors[0].startswith("psql: error: connection to server")


@pytest.mark.parametrize(
    ("fixture", "code", "ok", "error"),
    [
        ("health-curl-ok.txt", 200, True, ""),
        ("health-curl-503.txt", 503, False, ""),
        ("health-curl-refused.txt", 0, False, "no answer (client exit status 7)"),
        ("health-502-python.txt", 502, False, ""),
    ],
)
def test_health(fixture: str, code: int, ok: bool, error: str) -> None:
    health = parse_health(section(fixture))
    assert (health.code, health.ok, health.error) == (code, ok, error)
    if code == 503:
        assert health.body is not None and health.body["reason"] == "schema version 2, release expects 3"
    if code == 502:
        assert health.body is None  # nginx's own HTML page


def test_facts() -> None:
    db = parse_fact(fact("db-host.json"))
    assert set(db.roles) == {"base", "pgbackrest", "postgresql", "restic"}
    assert db.data("postgresql") == json.loads(fact("db-host.json"))["roles"]["postgresql"]["data"]
    assert db.last_patched is None
    patched = parse_fact(fact("app-host-patched.json"))
    # The newest of the top-level key and any role's data wins.
    assert patched.last_patched == datetime(2026, 9, 20, 2, 38, 12, tzinfo=UTC)
    broken = parse_fact(fact("truncated.json"))
    assert broken.roles == {} and broken.problem.startswith("not JSON")
    assert parse_fact("[1, 2]").problem == "not a JSON object"


def test_pgbackrest_section_reuses_the_info_parser() -> None:
    text = (PGBACKREST / "healthy-two-stanzas.json").read_text()
    data = host(compose({"pgbackrest": (text, 0)}))
    assert data.pgbackrest is not None and [s.name for s in data.pgbackrest] == ["chfms", "qcis"]
    failed = host(compose({"pgbackrest": ("ERROR: [055]: unable to load info file", 55)}))
    assert failed.pgbackrest == () and failed.pgbackrest_error == "ERROR: [055]: unable to load info file"
    absent = host(compose({"pgbackrest": ("", 3)}))
    assert absent.pgbackrest is None
