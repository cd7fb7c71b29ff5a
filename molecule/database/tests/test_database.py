"""What a DBA would check: the server, who gets in (and who does not), least privilege."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
import testinfra

DB = {
    "molecule-db-qcis": ("172.30.79.21", "15", "qcis"),
    "molecule-db-chfms": ("172.30.79.41", "17", "chfms"),
}
APP = "molecule-app-qcis"
SECRETS = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))


def _host(name: str) -> testinfra.host.Host:
    return testinfra.get_host(f"docker://{name}")


def _sql(host: str, sql: str, database: str = "postgres") -> str:
    cmd = f"runuser -u postgres -- psql -XAt -d {database} -c {shlex.quote(sql)}"
    return str(_host(host).check_output(cmd))


def _password(name: str) -> str:
    return (SECRETS / f"{name}.password").read_text().strip()


def _psql_from_app(
    sql: str,
    *,
    user: str = "qcis_app",
    password: str | None = None,
    sslmode: str = "require",
    host: str = "172.30.79.21",
    dbname: str = "qcis",
) -> subprocess.CompletedProcess[str]:
    secret = password if password is not None else _password(user)
    conninfo = f"host={host} dbname={dbname} user={user} sslmode={sslmode} connect_timeout=5"
    cmd = f"PGPASSWORD={shlex.quote(secret)} psql -XAt {shlex.quote(conninfo)} -c {shlex.quote(sql)}"
    result = _host(APP).run(cmd)
    return subprocess.CompletedProcess(cmd, result.rc, result.stdout, result.stderr)


@pytest.mark.parametrize("name", sorted(DB))
def test_server_version_checksums_and_tls(name: str) -> None:
    _, major, _ = DB[name]
    assert _sql(name, "show server_version_num")[:2] == major
    assert _sql(name, "show data_checksums") == "on"
    assert _sql(name, "show ssl") == "on"
    assert _sql(name, "show password_encryption") == "scram-sha-256"
    assert _host(name).service(f"postgresql@{major}-main").is_enabled


@pytest.mark.parametrize("name", sorted(DB))
def test_memory_is_derived_from_the_host(name: str) -> None:
    host = _host(name)
    mem_kb = int(host.check_output("awk '/MemTotal/ {print $2}' /proc/meminfo"))
    shared_mb = int(
        _sql(name, "select setting::bigint * 8 / 1024 from pg_settings where name = 'shared_buffers'")
    )
    assert abs(shared_mb - mem_kb / 1024 * 0.25) < 2


def test_app_host_connects_over_tls_with_its_password() -> None:
    result = _psql_from_app("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "t"


def test_wrong_password_is_refused() -> None:
    result = _psql_from_app("select 1", password="not-the-password")
    assert result.returncode != 0
    assert "password authentication failed" in result.stderr


def test_connection_without_tls_is_refused() -> None:
    result = _psql_from_app("select 1", sslmode="disable")
    assert result.returncode != 0
    assert "no encryption" in result.stderr or "rejects connection" in result.stderr


def test_app_role_may_not_reach_another_database() -> None:
    result = _psql_from_app("select 1", dbname="postgres")
    assert result.returncode != 0


def test_non_app_host_cannot_reach_5432() -> None:
    probe = "timeout 4 bash -c 'exec 3<>/dev/tcp/172.30.79.21/5432'"
    assert _host("molecule-db-chfms").run(probe).rc != 0
    assert _host(APP).run(probe).rc == 0


def test_app_role_reads_and_writes_data_but_cannot_change_the_schema() -> None:
    _sql(
        "molecule-db-qcis",
        "set role qcis_owner; create table if not exists qc_report "
        "(id bigserial primary key, institution text not null)",
        database="qcis",
    )
    insert = _psql_from_app("insert into qc_report (institution) values ('molecule') returning id")
    assert insert.returncode == 0, insert.stderr
    ddl = _psql_from_app("create table intruder (id int)")
    assert ddl.returncode != 0
    assert "permission denied" in ddl.stderr
    readonly = _psql_from_app("delete from qc_report", user="qcis_readonly")
    assert readonly.returncode != 0
    assert "permission denied" in readonly.stderr
    assert _psql_from_app("select count(*) > 0 from qc_report", user="qcis_readonly").stdout.strip() == "t"


@pytest.mark.parametrize("name", sorted(DB))
def test_local_fact_records_the_server(name: str) -> None:
    fact = json.loads(_host(name).file("/etc/ansible/facts.d/medops.fact").content_string)
    data = fact["roles"]["postgresql"]["data"]
    assert data["version"] == DB[name][1]
    assert data["data_checksums"] == "on"
    assert data["pending_restart"] == []


def _converge(*extra: str) -> subprocess.CompletedProcess[str]:
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    return subprocess.run(
        [
            "ansible-playbook",
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            *extra,
            str(scenario / "converge.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"),
    )


def test_check_mode_after_converge_reports_no_change() -> None:
    result = _converge("--check")
    assert result.returncode == 0, result.stdout[-3000:]
    stats = json.loads(result.stdout)["stats"]
    assert {h: s["changed"] for h, s in stats.items() if s["changed"]} == {}


def test_bad_setting_is_refused_and_the_old_file_stays() -> None:
    before = _host("molecule-db-qcis").file("/etc/postgresql/15/main/conf.d/60-medops.conf").content_string
    result = _converge(
        "--limit", "molecule-db-qcis", "-e", '{"postgresql_settings_extra": {"no_such_setting": 1}}'
    )
    assert result.returncode != 0
    assert "would not load the new files" in result.stdout
    after = _host("molecule-db-qcis").file("/etc/postgresql/15/main/conf.d/60-medops.conf").content_string
    assert after == before


def test_restart_needing_change_is_reported_not_applied_when_not_allowed() -> None:
    result = _converge(
        "--limit",
        "molecule-db-qcis",
        "-e",
        '{"postgresql_allow_restart": false, "postgresql_shared_buffers": "160MB"}',
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "needs a restart for: shared_buffers" in result.stdout
    assert _sql("molecule-db-qcis", "show shared_buffers") != "160MB"
    fact = json.loads(_host("molecule-db-qcis").file("/etc/ansible/facts.d/medops.fact").content_string)
    assert fact["roles"]["postgresql"]["data"]["pending_restart"] == ["shared_buffers"]


def test_archive_timeout_holds_right_after_a_restart() -> None:
    """archive_timeout is kept by the checkpointer, which computes its first sleep while the server
    still starts up, when archive_timeout does not apply: it slept a whole checkpoint_timeout (5 min)
    and no WAL switch came before, so a restart (a patch's) left minutes of WAL unarchived. The
    cluster's drop-in checkpoints after every start: the next switch comes within archive_timeout."""
    name = "molecule-db-qcis"
    host = _host(name)
    timeout = int(_sql(name, "select setting from pg_settings where name = 'archive_timeout'"))
    assert timeout == 60
    host.check_output("systemctl restart postgresql@15-main")
    started = time.monotonic()
    segment = _sql(name, "select pg_walfile_name(pg_current_wal_lsn())")
    # Writes go on, as they do in production (without the drop-in: no switch for 5 minutes).
    _sql(name, "create table if not exists medops_switch_probe (at timestamptz)")
    while _sql(name, "select pg_walfile_name(pg_current_wal_lsn())") == segment:
        assert time.monotonic() - started < timeout + 20, f"no WAL switch {timeout + 20} s after a restart"
        _sql(name, "insert into medops_switch_probe values (now())")
        time.sleep(2)
    _sql(name, "drop table medops_switch_probe")
