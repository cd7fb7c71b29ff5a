"""What the on-call engineer would check of the backups: the repository works, is encrypted, runs on
schedule; a backup restores with the rows that were written; a corrupted repository file is caught by
`pgbackrest verify` and by the restore test, which records the failure."""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import testinfra

from medops.backup.restore_tests import load_restore_tests

BACKUP = "molecule-backup"
DB = {"molecule-db-qcis": "qcis"}
APP = "molecule-app-qcis"
ROOT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))


def _host(name: str) -> testinfra.host.Host:
    return testinfra.get_host(f"docker://{name}")


def _as(host: str, user: str, cmd: str) -> testinfra.backend.base.CommandResult:
    return _host(host).run(f"runuser -u {user} -- {cmd}")


def _sql(sql: str, database: str = "qcis") -> str:
    cmd = f"runuser -u postgres -- psql -XAt -d {database} -c {shlex.quote(sql)}"
    return str(_host("molecule-db-qcis").check_output(cmd))


def _restore_test(records: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "ansible-playbook",
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            "-e",
            "system=qcis",
            "-e",
            f"restore_host={BACKUP}",
            "-e",
            f"medops_records={records}",
            str(ROOT / "playbooks" / "restore-test.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _probe(source: str, address: str, port: int) -> int:
    return int(_host(source).run(f"timeout 4 bash -c 'exec 3<>/dev/tcp/{address}/{port}'").rc)


@pytest.mark.parametrize("name", [BACKUP, *sorted(DB)])
def test_tls_server_runs(name: str) -> None:
    host = _host(name)
    assert host.service("pgbackrest-server").is_running
    assert host.socket("tcp://0.0.0.0:8432").is_listening


def test_tls_servers_are_closed_to_other_hosts() -> None:
    assert _probe(APP, "172.30.79.51", 8432) != 0
    assert _probe(APP, "172.30.79.21", 8432) != 0
    assert _probe(BACKUP, "172.30.79.21", 8432) == 0
    assert _probe("molecule-db-qcis", "172.30.79.51", 8432) == 0


def test_database_hosts_hold_no_repository_passphrase() -> None:
    for name in DB:
        conf = _host(name).file("/etc/pgbackrest/pgbackrest.conf")
        assert "cipher-pass" not in conf.content_string
        assert conf.mode == 0o640
    repo_conf = _host(BACKUP).file("/etc/pgbackrest/pgbackrest.conf")
    assert repo_conf.user == "root" and repo_conf.group == "pgbackrest" and repo_conf.mode == 0o640


@pytest.mark.parametrize("stanza", sorted(DB.values()))
def test_stanza_checks_and_is_encrypted(stanza: str) -> None:
    check = _as(BACKUP, "pgbackrest", f"pgbackrest --stanza={stanza} check")
    assert check.rc == 0, check.stderr
    info = json.loads(_as(BACKUP, "pgbackrest", f"pgbackrest --stanza={stanza} --output=json info").stdout)
    assert info[0]["cipher"] == "aes-256-cbc"
    assert info[0]["status"]["code"] in (0, 2)  # ok, or no backup yet


def test_archive_settings_on_the_database_host() -> None:
    assert _sql("show archive_mode", "postgres") == "on"
    assert "archive-push" in _sql("show archive_command", "postgres")
    assert (
        "archive-async=y" in _host("molecule-db-qcis").file("/etc/pgbackrest/pgbackrest.conf").content_string
    )


@pytest.mark.parametrize(
    ("unit", "calendar"),
    [
        ("pgbackrest-qcis-full", "Sun *-*-* 01:00:00"),
        ("pgbackrest-qcis-diff", "Mon..Sat *-*-* 01:00:00"),
        ("pgbackrest-qcis-incr", "*-*-* 13:00:00"),
        ("pgbackrest-qcis-verify", "Sat *-*-* 04:00:00"),
    ],
)
def test_timers_follow_the_policy(unit: str, calendar: str) -> None:
    host = _host(BACKUP)
    assert host.service(f"{unit}.timer").is_enabled
    assert host.service(f"{unit}.timer").is_running
    timer = host.file(f"/etc/systemd/system/{unit}.timer").content_string
    assert f"OnCalendar={calendar}" in timer
    service = host.file(f"/etc/systemd/system/{unit}.service").content_string
    assert f"SyslogIdentifier={unit}" in service


def test_no_timer_for_a_system_the_repository_does_not_back_up() -> None:
    units = _host(BACKUP).check_output("ls /etc/systemd/system")
    assert "pgbackrest-qcis-full.timer" in units
    assert "pgbackrest-chfms" not in units


@pytest.fixture(scope="module")
def full_backup() -> Iterator[str]:
    """Rows written, then a full backup through the scheduled unit; yields the backup's label."""
    _sql(
        "set role qcis_owner; "
        "create table if not exists restore_probe (id bigserial primary key, note text not null)"
    )
    _sql("insert into restore_probe (note) select 'row ' || g from generate_series(1, 500) g")
    started = _host(BACKUP).run("systemctl start pgbackrest-qcis-full.service")
    assert started.rc == 0, _host(BACKUP).run("journalctl -t pgbackrest-qcis-full -n 30 --no-pager").stdout
    info = json.loads(_as(BACKUP, "pgbackrest", "pgbackrest --stanza=qcis --output=json info").stdout)
    yield str(info[0]["backup"][-1]["label"])


def test_backup_runs_logged_to_the_journal(full_backup: str) -> None:
    log = _host(BACKUP).run("journalctl -t pgbackrest-qcis-full --no-pager").stdout
    assert "backup command end: completed successfully" in log
    assert full_backup.endswith("F")


def test_restore_test_brings_the_rows_back_and_records_a_pass(full_backup: str, tmp_path: Path) -> None:
    _sql("insert into restore_probe (note) values ('after the backup, before the restore point')")
    expected = _sql("select count(*) from restore_probe")
    result = _restore_test(tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    records = load_restore_tests(tmp_path)
    assert records.problems == ()
    (test,) = records.tests
    assert test.passed, test.detail
    assert test.system == "qcis"
    assert test.backup_label == full_backup
    assert test.size_bytes > 0
    assert "match" in test.detail and "pg_amcheck" in test.detail
    # The row written after the backup is in those counts: it came back through WAL replay.
    # The live database was never touched; the scratch instance is gone.
    assert _sql("select pg_is_in_recovery()", "postgres") == "f"
    assert _sql("select count(*) from restore_probe") == expected
    assert not _host(BACKUP).file("/var/lib/medops-restore-test/qcis").exists
    assert _probe(BACKUP, "127.0.0.1", 55432) != 0


@pytest.fixture
def corrupted_file(full_backup: str) -> Iterator[str]:
    """Overwrite bytes in the middle of the largest file of the newest backup; put it back afterwards."""
    host = _host(BACKUP)
    folder = f"/var/lib/pgbackrest/backup/qcis/{full_backup}/pg_data"
    path = host.check_output(f"find {folder} -type f -printf '%s %p\\n' | sort -n | tail -1 | cut -d' ' -f2")
    host.check_output(f"cp -p {path} /root/restore-probe.orig")
    host.check_output(
        f"printf 'medops-corruption-probe' | dd of={path} bs=1 seek=64 conv=notrunc status=none"
    )
    yield str(path)
    host.check_output(f"cp -p /root/restore-probe.orig {path} && rm /root/restore-probe.orig")


def test_corrupted_repository_file_fails_verify_and_the_restore_test(
    corrupted_file: str, tmp_path: Path
) -> None:
    host = _host(BACKUP)
    verify = host.run("systemctl start pgbackrest-qcis-verify.service")
    assert verify.rc != 0
    assert host.run("systemctl is-failed pgbackrest-qcis-verify.service").stdout.strip() == "failed"
    log = host.run("journalctl -t pgbackrest-qcis-verify -n 50 --no-pager").stdout
    assert "ERROR" in log or "invalid" in log

    result = _restore_test(tmp_path)
    assert result.returncode != 0
    said = " ".join((result.stdout + result.stderr).split())
    assert "RESTORE TEST FAILED for qcis" in said, said[-3000:]
    (test,) = load_restore_tests(tmp_path).tests
    assert test.outcome == "failed"
    assert "Restore the latest backup" in test.detail
    assert not host.file("/var/lib/medops-restore-test/qcis").exists
    host.run("systemctl reset-failed pgbackrest-qcis-verify.service")


@pytest.mark.parametrize("name", [APP, "molecule-db-qcis"])
def test_restic_backs_up_etc_encrypted_and_restores_it(name: str) -> None:
    host = _host(name)
    started = host.run("systemctl start restic-backup.service")
    assert started.rc == 0, host.run("journalctl -t restic-qcis -n 30 --no-pager").stdout
    snapshots = json.loads(host.check_output("/usr/local/sbin/restic-medops snapshots --json"))
    assert snapshots, "no snapshot after the backup"
    newest = snapshots[-1]
    assert newest["paths"] == ["/etc"]
    assert {"medops", "qcis"} <= set(newest["tags"])
    assert newest["hostname"] == host.check_output("hostname")
    # /etc/hostname, /etc/hosts and /etc/resolv.conf are Docker's bind mounts here: restic's
    # --one-file-system leaves them out, so the check restores a file of the host's own /etc.
    restored = host.run(
        "rm -rf /root/restic-probe && /usr/local/sbin/restic-medops restore latest "
        "--target /root/restic-probe --include /etc/ssh/sshd_config >/dev/null "
        "&& cat /root/restic-probe/etc/ssh/sshd_config"
    )
    assert restored.rc == 0, restored.stderr
    assert restored.stdout == host.file("/etc/ssh/sshd_config").content_string
    host.run("rm -rf /root/restic-probe")
    # On the repository host the data is encrypted: restic's config is not readable text.
    repo = _host(BACKUP)
    config = base64.b64decode(repo.check_output(f"head -c 200 /srv/restic/{name}/config | base64 -w0"))
    assert config and b"version" not in config


def test_restic_account_gets_sftp_but_no_shell() -> None:
    shell = _host(APP).run(
        "ssh -i /etc/restic/ssh/id_ed25519 -o UserKnownHostsFile=/etc/restic/ssh/known_hosts "
        "-o BatchMode=yes restic@172.30.79.51 id"
    )
    assert "uid=" not in shell.stdout
    listing = _host(APP).run(
        "echo ls | sftp -b - -i /etc/restic/ssh/id_ed25519 "
        "-o UserKnownHostsFile=/etc/restic/ssh/known_hosts restic@172.30.79.51"
    )
    assert listing.rc == 0, listing.stderr
    assert "config" in listing.stdout


# Last: these add backups on top of the full one the tests above restore and corrupt.
STANZA_FOLDER = "/var/lib/pgbackrest/backup/qcis"


def _hold_stanza_lock(seconds: int) -> None:
    """Hold the lock every medops backup of qcis takes (as a long backup would) for `seconds`."""
    host = _host(BACKUP)
    held = host.run(
        f"systemd-run --unit=medops-test-hold-$RANDOM --uid=pgbackrest --collect "
        f"flock {STANZA_FOLDER} sleep {seconds}"
    )
    assert held.rc == 0, held.stderr
    for _ in range(50):
        if host.run(f"flock --nonblock {STANZA_FOLDER} true").rc != 0:
            return
        time.sleep(0.1)
    raise AssertionError("the test's lock holder never took the lock")


def _wait_inactive(unit: str, timeout: float = 180) -> str:
    host = _host(BACKUP)
    deadline = time.monotonic() + timeout
    while host.run(f"systemctl is-active {unit}").stdout.strip() in ("activating", "active"):
        assert time.monotonic() < deadline, f"{unit} still runs after {timeout} s"
        time.sleep(1)
    return str(host.check_output(f"systemctl show -p Result --value {unit}")).strip()


def test_backups_due_at_once_wait_their_turn_and_all_succeed(full_backup: str) -> None:
    """pgBackRest fails a second backup of a stanza while one runs; a scheduled job that met a running
    backup failed so. Through the wrapper each one waits: a diff and an incr due while another backup
    holds the stanza both wait for it, then run one after the other, both successfully."""
    host = _host(BACKUP)
    labels = _labels()
    since = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    _hold_stanza_lock(6)
    for job in ("diff", "incr"):
        assert host.run(f"systemctl start --no-block pgbackrest-qcis-{job}.service").rc == 0
    for job in ("diff", "incr"):
        unit = f"pgbackrest-qcis-{job}.service"
        log = host.run(f"journalctl -t pgbackrest-qcis-{job} --since '{since}' --no-pager").stdout
        assert _wait_inactive(unit) == "success", log
        log = host.run(f"journalctl -t pgbackrest-qcis-{job} --since '{since}' --no-pager").stdout
        assert "another backup of stanza qcis is running; waiting for it" in log, log
        assert "backup command end: completed successfully" in log, log
    new = [label for label in _labels() if label not in labels]
    assert sorted(label[-1] for label in new) == ["D", "I"], new


def test_a_backup_that_waited_its_limit_fails_and_takes_nothing(full_backup: str) -> None:
    host = _host(BACKUP)
    labels = _labels()
    _hold_stanza_lock(8)
    result = _as(BACKUP, "pgbackrest", "/usr/local/sbin/pgbackrest-backup-medops qcis incr 1")
    assert result.rc == 75
    assert (
        "the other backup of stanza qcis still ran after 1 s; this incr backup was not taken" in result.stderr
    )
    for wrong, said in (
        ("qcis weekly", "backup type must be full, diff or incr, not 'weekly'"),
        ("nosuch full", "stanza 'nosuch' has no folder in the repository"),
        ("qcis full soon", "seconds to wait must be a whole number, not 'soon'"),
    ):
        bad = _as(BACKUP, "pgbackrest", f"/usr/local/sbin/pgbackrest-backup-medops {wrong}")
        assert bad.rc == 2 and said in bad.stderr, (wrong, bad.stderr)
    assert _labels() == labels
    assert host.run(f"flock --wait 30 {STANZA_FOLDER} true").rc == 0


def _labels() -> list[str]:
    info = json.loads(_as(BACKUP, "pgbackrest", "pgbackrest --stanza=qcis --output=json info").stdout)
    return [str(b["label"]) for b in info[0]["backup"]]
