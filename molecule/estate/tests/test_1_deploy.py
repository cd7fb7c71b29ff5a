"""Deploys as an engineer runs them: v1.0.0, v1.1.0 under a polling client, the broken v1.2.0
(rolled back by itself), a tampered artifact, an unknown version, a repeat, check mode, a
rollback. The tests run in file order; each builds on the estate the previous one left."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from estate import ADDRESSES, APP, APP2, BACKUP, DB, EPHEMERAL, RECORDS
from estate import host as _host
from estate import playbook as _playbook
from estate import said as _said

DEPLOYS = RECORDS / "deploys"
APPS = {APP: ADDRESSES[APP], APP2: ADDRESSES[APP2]}


def _deploy(version: str, *extra: str, summary: Path | None = None) -> subprocess.CompletedProcess[str]:
    return _playbook("deploy.yml", "-e", "system=qcis", "-e", f"version={version}", *extra, summary=summary)


def _https(path: str, address: str, method: str = "GET", body: str | None = None) -> tuple[int, str]:
    """A request through nginx from the database host (a client of the application hosts)."""
    data = f"-H 'Content-Type: application/json' -d '{body}'" if body else ""
    result = _host(DB).run(
        f"curl -s -k --max-time 5 -X {method} {data} -w '\\n%{{http_code}}' https://{address}{path}"
    )
    text, _, code = result.stdout.rpartition("\n")
    return int(code or 0), text


def _serving(address: str) -> dict[str, Any]:
    code, text = _https("/healthz", address)
    assert code == 200, text
    return dict(json.loads(text))


def _records() -> list[dict[str, Any]]:
    """The deploy records, oldest first (their names start with the action, not the time)."""
    found = [json.loads(p.read_text()) for p in DEPLOYS.glob("qcis-*.json")]
    return sorted(found, key=lambda r: (r["started"], r["id"]))


def _release_dirs(name: str) -> list[str]:
    return sorted(_host(name).check_output("ls /opt/qcis/releases").split())


def test_first_deploy_migrates_after_a_backup_and_a_restore_point() -> None:
    result = _deploy("1.0.0")
    assert result.returncode == 0, result.stdout[-4000:]
    for address in APPS.values():
        health = _serving(address)
        assert health["version"] == "1.0.0" and health["schema_version"] == 1
    record = _records()[-1]
    assert record["outcome"] == "success" and record["action"] == "deploy"
    assert [h["outcome"] for h in record["hosts"]] == ["ok", "ok"]
    migration = record["migration"]
    assert migration["applied"] == [1]
    assert migration["restore_point"].startswith("medops-deploy-qcis-1.0.0-")
    assert migration["backup_label"]
    # The restore point reached the repository with its WAL: pgBackRest lists the backup.
    info = _host(BACKUP).check_output("runuser -u pgbackrest -- pgbackrest --stanza=qcis --output=json info")
    labels = [b["label"] for b in json.loads(info)[0]["backup"]]
    assert migration["backup_label"] in labels


def test_reports_written_before_the_upgrade() -> None:
    for n in range(5):
        body = json.dumps(
            {"institution_code": f"110{n % 2}", "period": "2026-11", "indicator": "beds", "value": n}
        )
        code, text = _https("/api/reports", APPS[APP], "POST", body)
        assert code == 201, text
    code, text = _https("/api/reports/counts", APPS[APP2])
    assert code == 200 and json.loads(text)["total"] == 5


def _start_clients() -> None:
    script = (
        "while [ ! -f /tmp/stop-clients ]; do "
        "c=$(curl -s -k -o /dev/null --max-time 2 -w '%{{http_code}}' https://{addr}/healthz); "
        'echo "$(date +%s.%N) $c" >> /tmp/client-{name}.log; sleep 0.2; done'
    )
    db = _host(DB)
    db.run("rm -f /tmp/stop-clients /tmp/client-*.log")
    for name, addr in APPS.items():
        subprocess.run(
            ["docker", "exec", "-d", DB, "bash", "-c", script.format(addr=addr, name=name)], check=True
        )


def _stop_clients() -> dict[str, list[tuple[float, int]]]:
    db = _host(DB)
    db.run("touch /tmp/stop-clients")
    time.sleep(3)
    logs = {}
    for name in APPS:
        rows = [line.split() for line in db.check_output(f"cat /tmp/client-{name}.log").splitlines()]
        logs[name] = [(float(t), int(c)) for t, c in rows if c.isdigit()]
    return logs


# "At most a few seconds of failures per host": the restart and the first healthy answer.
# Measured on the 2-core machine with three other scenarios side by side (load 6-9): the clients
# saw 0.4 s and 1.2 s of 503s; the bound leaves four times that for a slower machine.
OUT_OF_SERVICE_MAX = 5.0


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_upgrade_keeps_the_other_host_serving_and_the_data() -> None:
    _start_clients()
    try:
        result = _deploy("1.1.0")
    finally:
        logs = _stop_clients()
    assert result.returncode == 0, result.stdout[-4000:]
    record = _records()[-1]
    assert record["migration"]["applied"] == [2]
    windows = {h["host"]: (_seconds(h["started"]), _seconds(h["finished"]) + 1) for h in record["hosts"]}
    for name, samples in logs.items():
        assert len(samples) > 20, f"the client of {name} hardly ran"
        failures = [t for t, code in samples if code != 200]
        # Out of service only while the switch command restarts the host and waits for its
        # health check (maintenance flag on to off, measured on the host into the record); the
        # clients see that window, give or take their own 0.2 s pace.
        host = next(h for h in record["hosts"] if h["host"] == name)
        assert 0 < host["out_of_service_seconds"] <= OUT_OF_SERVICE_MAX, host
        span = max(failures) - min(failures) if failures else 0.0
        assert span <= OUT_OF_SERVICE_MAX, (
            f"{name}: requests failed for {span:.1f} s ({len(failures)} of {len(samples)})"
        )
        other = next(h for h in windows if h != name)
        start, end = windows[other]
        own_start, own_end = windows[name]
        during_other = [t for t in failures if start <= t <= end and not own_start <= t <= own_end]
        assert not during_other, f"{name} failed while {other} switched"
    for address in APPS.values():
        assert _serving(address)["version"] == "1.1.0"
    _, text = _https("/api/reports/counts", APPS[APP])
    assert json.loads(text)["total"] == 5


def test_broken_release_is_rolled_back_and_the_rollout_stops() -> None:
    result = _deploy("1.2.0")
    assert result.returncode != 0
    assert "rolled back: 1.1.0 serves again" in _said(result), _said(result)[-3000:]
    for address in APPS.values():
        assert _serving(address)["version"] == "1.1.0"
    record = _records()[-1]
    assert record["version"] == "1.2.0" and record["outcome"] == "rolled_back"
    (host,) = record["hosts"]  # the second host was never touched
    assert host["outcome"] == "rolled_back" and host["serving"] == "1.1.0" and host["failure"]
    untouched = next(name for name in APPS if name != host["host"])
    assert "1.2.0" not in _release_dirs(untouched)
    for name in APPS:
        assert not _host(name).file("/var/lib/medops/deploy-in-progress").exists
        assert not _host(name).file("/var/lib/medops/maintenance/qcis").exists


def test_tampered_artifact_is_refused_before_anything_changes(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    shutil.copytree(EPHEMERAL / "releases", releases)
    tarball = releases / "medops-sampleapp-1.0.0.tar.gz"
    data = bytearray(tarball.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tarball.write_bytes(bytes(data))
    before = {name: _release_dirs(name) for name in APPS}
    count = len(_records())
    result = _deploy("1.0.0", "-e", f"app_artifact_dir={releases}")
    assert result.returncode != 0
    said = _said(result)
    assert "checksum mismatch" in said and "nothing was changed" in said, said[-3000:]
    assert {name: _release_dirs(name) for name in APPS} == before
    assert len(_records()) == count


def test_unknown_version_gives_a_clear_error() -> None:
    result = _deploy("9.9.9")
    assert result.returncode != 0
    said = _said(result)
    assert "release 9.9.9 of medops-sampleapp not found" in said, said[-3000:]
    assert "known: 1.0.0, 1.1.0, 1.2.0" in said


def test_redeploying_the_same_version_changes_nothing(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    result = _deploy("1.1.0", summary=summary)
    assert result.returncode == 0, result.stdout[-4000:]
    changed = json.loads(summary.read_text())["changed"]
    assert {h: tasks for h, tasks in changed.items() if h != "localhost"} == {}
    check = _deploy("1.1.0", "--check", summary=summary)
    assert check.returncode == 0, check.stdout[-4000:]
    changed = json.loads(summary.read_text())["changed"]
    assert {h: tasks for h, tasks in changed.items() if h != "localhost"} == {}


def test_rollback_to_an_earlier_release() -> None:
    result = _playbook("rollback.yml", "-e", "system=qcis", "-e", "version=1.0.0")
    assert result.returncode == 0, result.stdout[-4000:]
    for address in APPS.values():
        health = _serving(address)
        assert health["version"] == "1.0.0" and health["schema_version"] == 2
    record = _records()[-1]
    assert record["action"] == "rollback" and record["outcome"] == "success"
    assert {h["from"] for h in record["hosts"]} == {"1.1.0"}


@pytest.mark.parametrize("name", sorted(APPS))
def test_service_is_sandboxed_and_its_secrets_closed(name: str) -> None:
    host = _host(name)
    props = host.check_output(
        "systemctl show qcis-app -p User -p NoNewPrivileges -p ProtectSystem -p PrivateTmp -p ActiveState"
    )
    assert "User=qcis" in props and "NoNewPrivileges=yes" in props
    assert "ProtectSystem=strict" in props and "PrivateTmp=yes" in props and "ActiveState=active" in props
    env = host.file("/etc/qcis/app.env")
    assert env.user == "root" and env.group == "qcis" and env.mode == 0o640
    assert host.socket("tcp://127.0.0.1:8000").is_listening
    assert not host.socket("tcp://0.0.0.0:8000").is_listening


@pytest.mark.parametrize("name", sorted(APPS))
def test_nginx_sends_security_headers_and_redirects_http(name: str) -> None:
    db = _host(DB)
    headers = db.check_output(f"curl -s -k -D - -o /dev/null https://{APPS[name]}/healthz").lower()
    for header in (
        "strict-transport-security",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "content-security-policy",
    ):
        assert header in headers
    assert "server: nginx/" not in headers
    redirect = db.check_output(
        f"curl -s -o /dev/null -w '%{{http_code}} %{{redirect_url}}' http://{APPS[name]}/healthz"
    )
    assert redirect.startswith("301 https://")


def test_certificate_is_issued_by_the_ca_for_the_host_name() -> None:
    db = _host(DB)
    ca = (EPHEMERAL / "ca.crt").read_text()
    db.run(f"cat > /tmp/molecule-ca.crt <<'EOF'\n{ca}EOF")
    verified = db.run(
        f"curl -s --cacert /tmp/molecule-ca.crt --resolve {APP}:443:{ADDRESSES[APP]} "
        f"-o /dev/null -w '%{{http_code}}' https://{APP}/healthz"
    )
    assert verified.stdout == "200", verified.stderr


def test_maintenance_page_is_bilingual_and_returns_503() -> None:
    host = _host(APP2)
    host.check_output("touch /var/lib/medops/maintenance/qcis")
    try:
        code, text = _https("/healthz", APPS[APP2])
    finally:
        host.check_output("rm -f /var/lib/medops/maintenance/qcis")
    assert code == 503
    assert "系统正在维护" in text and "Maintenance" in text
    assert _serving(APPS[APP2])["status"] == "ok"
