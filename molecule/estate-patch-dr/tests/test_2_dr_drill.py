"""A disaster-recovery drill as an engineer runs it, end to end, on the estate test_1_patch_cycle.py
patched. The tests run in file order; each builds on the estate the previous one left:

deploy (the release and a backup are there) -> restore test (the last row counts known) -> rows
written through the application -> the primary killed without warning (docker kill) -> rebuild refused
while the repository host is stopped -> rebuild on the spare -> a second rebuild refused (the spare
holds data) -> rows written on the temporary environment -> the primary replaced by a fresh container
-> fail-back -> every row there, the spare back to spare state -> the drill report."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from estate import ADDRESSES, APP, BACKUP, DB, NETWORK, RECORDS, ROOT, SPARE
from estate import host as _host
from estate import playbook as _playbook
from estate import said as _said
from estate import tail as _tail

SPARE_ADDRESS, DB_ADDRESS = ADDRESSES[SPARE], ADDRESSES[DB]
# PostgreSQL's archive_timeout in this scenario (molecule.yml): a WAL switch at least every 30 s.
ARCHIVE_TIMEOUT = 30
# What a loss may exceed archive_timeout by: the asynchronous push of the switched segment to the
# repository (pgBackRest's archive-push, under this machine's load) and the heartbeat's own second.
ARCHIVE_LATENCY = 10
# State the tests hand on (file order).
DRILL: dict[str, Any] = {}


def _drills() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((RECORDS / "drills").glob("qcis-*.json"))]


def _beats(host: str, source: str) -> int:
    """Heartbeats `source` committed, as `host`'s database holds them."""
    return int(
        _psql(host, "select coalesce(max(beats), 0) from medops.heartbeat where source = :'s'", var=source)
    )


def _psql(host: str, sql: str, db: str = "qcis", var: str = "") -> str:
    bound = f"-v s={json.dumps(var)} " if var else ""
    out: str = _host(host).check_output(
        f"echo {json.dumps(sql)} | runuser -u postgres -- psql -XAt {bound}-d {db}"
    )
    return out


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wait_systemd(name: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = subprocess.run(
            ["docker", "exec", name, "systemctl", "is-system-running"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if state in ("running", "degraded"):
            return
        time.sleep(2)
    raise AssertionError(f"{name}: systemd did not finish booting within {timeout} s")


# --- the writer: reports through nginx, one every 0.2 s, each committed id logged with its time ---------

WRITER = (
    "while [ ! -f /tmp/stop-writer-{name} ]; do "
    "out=$(curl -s -k --max-time 3 -H 'Content-Type: application/json' "
    '-d \'{{"institution_code": "{code}", "period": "2026-11", "indicator": "drill", "value": 1}}\' '
    "-w ' %{{http_code}}' https://{address}/api/reports); "
    'echo "$(date +%s.%N)" $out >> /tmp/writer-{name}.log; sleep 0.2; done'
)


def _start_writer(name: str, address: str, code: str) -> None:
    _host(APP).run(f"rm -f /tmp/stop-writer-{name} /tmp/writer-{name}.log")
    subprocess.run(
        ["docker", "exec", "-d", APP, "bash", "-c", WRITER.format(name=name, address=address, code=code)],
        check=True,
    )


def _stop_writer(name: str) -> list[tuple[float, int]]:
    """(time, id) of every report the application acknowledged as committed (201)."""
    app = _host(APP)
    app.run(f"touch /tmp/stop-writer-{name}")
    time.sleep(4)
    committed = []
    for line in app.check_output(f"cat /tmp/writer-{name}.log").splitlines():
        stamp, _, rest = line.partition(" ")
        body, _, code = rest.rpartition(" ")
        if code == "201":
            committed.append((float(stamp), int(json.loads(body)["id"])))
    return committed


# --- the drill ------------------------------------------------------------------------------------------


def test_deploy_gives_a_release_and_a_backup() -> None:
    result = _playbook("deploy.yml", "-e", "system=qcis", "-e", "version=1.1.0")
    assert result.returncode == 0, _tail(result)
    info = json.loads(
        _host(BACKUP).check_output("runuser -u pgbackrest -- pgbackrest --stanza=qcis --output=json info")
    )
    assert info[0]["backup"], "the deploy took no backup"


def test_heartbeat_beats_every_second_on_the_primary() -> None:
    first = _beats(DB, DB)
    time.sleep(5)
    second = _beats(DB, DB)
    assert 3 <= second - first <= 7
    age = float(_psql(DB, "select extract(epoch from now() - max(beat_at)) from medops.heartbeat"))
    assert age < 3


def test_restore_test_records_the_row_counts_a_rebuild_compares_with() -> None:
    result = _playbook("restore-test.yml", "-e", "system=qcis")
    assert result.returncode == 0, _tail(result)
    record = json.loads(sorted((RECORDS / "restore-tests").glob("qcis-*.json"))[-1].read_text())
    assert record["outcome"] == "passed"
    assert {"public.reports", "public.schema_migrations", "medops.heartbeat"} <= set(
        record["row_counts"]["qcis"]
    )


def test_rows_are_written_until_the_primary_is_killed() -> None:
    _start_writer("primary", "127.0.0.1", "PRIMARY")
    time.sleep(2 * ARCHIVE_TIMEOUT + 5)
    DRILL["killed_at"] = time.time()
    subprocess.run(["docker", "kill", DB], check=True, capture_output=True)
    DRILL["primary_rows"] = _stop_writer("primary")
    _keep_primary_logs()
    assert len(DRILL["primary_rows"]) > 50, "the writer hardly ran"


PRIMARY_LOGS = ROOT / ".lab" / "molecule" / "dr-drill-primary"


def _keep_primary_logs() -> None:
    """What the killed primary logged of its WAL archiving, kept beside the scenario's log (CI keeps
    it): pgBackRest's logs, the push queue's status files, PostgreSQL's log. The next tests replace
    the container, and with it the only evidence of why a segment did not reach the repository."""
    shutil.rmtree(PRIMARY_LOGS, ignore_errors=True)
    PRIMARY_LOGS.mkdir(parents=True)
    for path in ("/var/log/pgbackrest", "/var/spool/pgbackrest", "/var/log/postgresql"):
        subprocess.run(["docker", "cp", f"{DB}:{path}", str(PRIMARY_LOGS)], check=False, capture_output=True)


def _archiving_said() -> str:
    """The end of the killed primary's archive-push logs, for a failed RPO's message."""
    said = []
    for log in sorted(PRIMARY_LOGS.rglob("*archive-push*.log")):
        said.append(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-40:]))
    return "\n".join(said) or f"no archive-push log was kept in {PRIMARY_LOGS}"


def test_rebuild_is_refused_before_any_change_when_the_repository_is_down(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    subprocess.run(["docker", "stop", BACKUP], check=True, capture_output=True)
    try:
        result = _playbook("dr-rebuild.yml", "-e", "system=qcis", summary=summary)
    finally:
        subprocess.run(["docker", "start", BACKUP], check=True, capture_output=True)
        _wait_systemd(BACKUP)
    assert result.returncode != 0
    said = _said(result)
    assert "dr-rebuild refused, nothing was changed" in said, said[-3000:]
    assert f"the backup repository cannot be reached: {BACKUP} did not answer" in said
    changed = json.loads(summary.read_text())["changed"]
    assert changed.get(SPARE, []) == [], changed
    assert _host(SPARE).run("pg_lsclusters --no-header").stdout.strip() == ""
    refused = _drills()[-1]
    assert refused["rebuild"]["outcome"] == "refused" and refused["rebuild"]["refusals"]
    # The repository host is back: the TLS server answers the spare again.
    deadline = time.monotonic() + 60
    while _host(SPARE).run("runuser -u postgres -- pgbackrest --stanza=qcis info").rc != 0:
        assert time.monotonic() < deadline, "the repository host's TLS server did not come back"
        time.sleep(3)


def test_rebuild_brings_the_temporary_environment_up_within_the_objectives() -> None:
    result = _playbook(
        "dr-rebuild.yml",
        "-e",
        "system=qcis",
        "-e",
        f"failed_at={_stamp(DRILL['killed_at'])}",
        "-e",
        "drill=true",
    )
    assert result.returncode == 0, _tail(result)
    record = _drills()[-1]
    DRILL["id"] = record["id"]
    rebuild = record["rebuild"]
    assert rebuild["outcome"] == "success" and record["drill"] is True
    # Every field the record promises.
    assert [p["name"] for p in rebuild["phases"]] == [
        "checks", "base", "postgresql", "pgbackrest", "restore", "recovery", "app", "nginx", "verify",
    ]  # fmt: skip
    for key in (
        "started",
        "finished",
        "seconds",
        "serving_at",
        "rto",
        "rpo",
        "restore",
        "release",
        "projection",
    ):
        assert rebuild[key] is not None, key
    restore = rebuild["restore"]
    assert restore["bytes"] > 0 and restore["bytes_per_second"] > 0 and restore["process_max"] == 2
    assert restore["wal"]["segments"] >= 1 and restore["wal"]["timeline"] == 2
    assert restore["wal"]["reached_archive_end"] is True
    assert rebuild["release"]["version"] == "1.1.0"
    assert rebuild["rto"]["from"] == "failure" and rebuild["rto"]["met"] is True
    assert rebuild["projection"]["database_size_gb"] == 350
    assert rebuild["verification"]["health"]["schema_version"] == 2
    assert rebuild["verification"]["row_counts"]["known_from"].startswith("restore-tests/")
    # RPO: the failure minus the newest heartbeat restored, within what archive_timeout allows.
    rpo = rebuild["rpo"]
    assert rpo["heartbeat_source"] == DB
    assert 0 <= rpo["seconds"] <= ARCHIVE_TIMEOUT + ARCHIVE_LATENCY, f"{rpo}\n{_archiving_said()}"
    DRILL["rpo_seconds"] = rpo["seconds"]
    # Users get the temporary environment through the spare's nginx.
    health = json.loads(_host(APP).check_output(f"curl -s -k https://{SPARE_ADDRESS}/healthz"))
    assert health["status"] == "ok" and health["version"] == "1.1.0"


def test_the_rebuild_lost_only_what_came_after_the_last_archived_wal() -> None:
    restored = {
        int(i) for i in _psql(SPARE, "select id from reports where institution_code = 'PRIMARY'").split()
    }
    committed = DRILL["primary_rows"]
    newest = max(restored, default=0)
    lost = [(t, i) for t, i in committed if i not in restored]
    # No hole: every committed row up to the newest restored one is there.
    assert all(i > newest for _, i in lost), [i for _, i in lost if i <= newest]
    # What was lost was committed in the last seconds before the failure, within the RPO measured.
    assert all(DRILL["killed_at"] - t <= DRILL["rpo_seconds"] + 2 for t, _ in lost), lost[:5]
    DRILL["primary_kept"] = {i for _, i in committed if i <= newest}


def test_a_second_rebuild_is_refused_while_the_spare_holds_data() -> None:
    result = _playbook("dr-rebuild.yml", "-e", "system=qcis")
    assert result.returncode != 0
    said = _said(result)
    assert f"{SPARE} already runs a database with data" in said, said[-3000:]
    assert "-e force=true" in said, said[-3000:]
    health = json.loads(_host(APP).check_output(f"curl -s -k https://{SPARE_ADDRESS}/healthz"))
    assert health["status"] == "ok"


def test_rows_are_written_on_the_temporary_environment() -> None:
    _start_writer("temporary", SPARE_ADDRESS, "TEMPORARY")
    time.sleep(30)
    DRILL["temporary_rows"] = _stop_writer("temporary")
    assert len(DRILL["temporary_rows"]) >= 10
    assert _beats(SPARE, SPARE) > 10


def test_the_primary_is_replaced_by_a_fresh_container() -> None:
    subprocess.run(["docker", "rm", "-f", DB], check=True, capture_output=True)
    subprocess.run(
        [
            "docker", "run", "-d", "--name", DB, "--hostname", DB,
            "--network", NETWORK, "--ip", DB_ADDRESS,
            "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cgroupns", "host",
            "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
            "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp:rw,exec,nosuid,nodev",
            "-e", "container=docker", "--label", "owner=molecule",
            "medops/debian-systemd:12",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    _wait_systemd(DB)
    assert _host(DB).run("test -e /var/lib/postgresql").rc != 0


def test_failback_brings_every_row_home() -> None:
    result = _playbook("dr-failback.yml", "-e", "system=qcis")
    assert result.returncode == 0, _tail(result)
    record = next(r for r in _drills() if r["id"] == DRILL["id"])
    failback = record["failback"]
    assert failback["outcome"] == "success"
    assert [p["name"] for p in failback["phases"]] == [
        "checks", "primary", "maintenance", "final_wal", "restore", "recovery", "verify", "in_service",
        "spare", "backup",
    ]  # fmt: skip
    assert failback["checksums"]["equal"] is True and failback["checksums"]["tables"]
    assert failback["downtime"]["seconds"] > 0 and failback["temporary_period"]["heartbeats"] > 10
    assert failback["restore"]["wal"]["timeline"] == 3 and failback["final_wal"]["segment"].startswith(
        "00000002"
    )
    on_primary = {int(i) for i in _psql(DB, "select id from reports").split()}
    assert DRILL["primary_kept"] <= on_primary
    assert {i for _, i in DRILL["temporary_rows"]} <= on_primary
    # Users are back on the primary through the application host.
    health = json.loads(_host(APP).check_output("curl -s -k https://127.0.0.1/healthz"))
    assert health["status"] == "ok" and health["version"] == "1.1.0"
    assert not _host(APP).file("/var/lib/medops/maintenance/qcis").exists
    assert _beats(DB, DB) > 0


def test_the_spare_is_back_to_spare_state() -> None:
    spare = _host(SPARE)
    assert spare.run("pg_lsclusters --no-header").stdout.strip() == ""
    for unit in ("qcis-app", "nginx", "medops-heartbeat", "pgbackrest-server"):
        assert not spare.service(unit).is_running, unit
    assert not spare.file("/opt/qcis").exists and not spare.file("/etc/nginx/sites-enabled").exists
    conf = spare.file("/etc/pgbackrest/pgbackrest.conf").content_string
    assert "archive-async" not in conf and "pgBackRest, restore side" in conf
    assert _host(APP).run(f"curl -s -k --max-time 3 https://{SPARE_ADDRESS}/healthz").rc != 0
    fact = json.loads(spare.file("/etc/ansible/facts.d/medops.fact").content_string)
    assert {"app", "nginx", "postgresql"}.isdisjoint(fact["roles"]) and fact["roles"]["pgbackrest"]["data"][
        "mode"
    ] == "restore"


def test_drill_report_renders_the_records(tmp_path: Path) -> None:
    result = subprocess.run(
        ["medops", "drill", "report", DRILL["id"], "--records", str(RECORDS), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"drill {DRILL['id']} (molecule): rebuild success" in result.stdout
    assert "checksums equal on both sides" in result.stdout
    assert len(list(tmp_path.glob(f"{DRILL['id']}.*"))) == 6
    # The run's measurements outlive the scenario (destroy removes its records): the drill record, its
    # report and the headline figures beside the scenario's log, where CI keeps them.
    kept = ROOT / ".lab" / "molecule" / "dr-drill"
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(RECORDS / "drills", kept / "records")
    shutil.copytree(tmp_path, kept / "report")
    (kept / "headline.txt").write_text(result.stdout, encoding="utf-8")
