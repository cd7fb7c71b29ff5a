"""What an administrator would check on a host that got the baseline.

Hosts are reached with `docker exec` (testinfra's docker backend); network tests go from one
scenario host to the other, over the scenario's own Docker network, as a person on the admin
network would.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
import testinfra

HOSTS = {
    "molecule-base-debian12": "172.30.78.12",
    "molecule-base-debian13": "172.30.78.13",
}
PEER = {
    "molecule-base-debian12": "molecule-base-debian13",
    "molecule-base-debian13": "molecule-base-debian12",
}
EPHEMERAL = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))


def _host(name: str) -> testinfra.host.Host:
    return testinfra.get_host(f"docker://{name}")


@pytest.fixture(scope="module", params=sorted(HOSTS))
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_time_zone_is_beijing_time(name: str) -> None:
    host = _host(name)
    assert host.file("/etc/timezone").content_string.strip() == "Asia/Shanghai"
    assert host.check_output("date +%z") == "+0800"


def test_locales_are_generated_and_default_is_set(name: str) -> None:
    host = _host(name)
    available = host.check_output("locale -a").split()
    assert "en_US.utf8" in available
    assert "zh_CN.utf8" in available
    assert "LANG=en_US.UTF-8" in host.file("/etc/default/locale").content_string


def test_chrony_runs_and_serves_time_to_the_peer(name: str) -> None:
    host = _host(name)
    chrony = host.service("chrony")
    assert chrony.is_running
    assert chrony.is_enabled
    # The lab override: chronyd measures but never sets the shared clock.
    assert "-x" in host.check_output("ps -o args= -C chronyd")
    if name == "molecule-base-debian13":
        sources = host.check_output("chronyc -n sources")
        assert "172.30.78.12" in sources


def test_journal_is_persistent_for_180_days(name: str) -> None:
    host = _host(name)
    machine_id = host.file("/etc/machine-id").content_string.strip()
    assert host.file(f"/var/log/journal/{machine_id}").is_directory
    assert host.run(f"ls /var/log/journal/{machine_id}/*.journal").rc == 0
    config = host.check_output("systemd-analyze cat-config systemd/journald.conf")
    assert "Storage=persistent" in config
    retention = [line for line in config.splitlines() if line.startswith("MaxRetentionSec=")][-1]
    assert int(retention.split("=")[1].removesuffix("day")) >= 180


def test_sshd_effective_settings_are_hardened(name: str) -> None:
    host = _host(name)
    effective = dict(line.split(" ", 1) for line in host.check_output("sshd -T").splitlines() if " " in line)
    assert effective["permitrootlogin"] == "no"
    assert effective["passwordauthentication"] == "no"
    assert effective["kbdinteractiveauthentication"] == "no"
    assert effective["authenticationmethods"] == "publickey"
    assert not any("cbc" in c or "3des" in c for c in effective["ciphers"].split(","))
    assert "medops-admins" in effective["allowgroups"]


def _ssh_from_peer(
    name: str, user: str, *options: str, command: str = "true"
) -> subprocess.CompletedProcess[str]:
    peer = _host(PEER[name])
    argv = [
        "ssh",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=5",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
        *options,
        f"{user}@{HOSTS[name]}",
        command,
    ]
    result = peer.run(shlex.join(argv))
    return subprocess.CompletedProcess(argv, result.rc, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def peer_key() -> str:
    """Put the scenario's throwaway private key on both hosts, for logging in from the peer."""
    key = (EPHEMERAL / "id_ed25519").read_text()
    for host_name in HOSTS:
        subprocess.run(
            ["docker", "exec", "-i", host_name, "sh", "-c", "umask 077; cat > /root/test_key"],
            input=key,
            text=True,
            check=True,
        )
    return "/root/test_key"


def test_sshd_refuses_root_even_with_a_key(name: str, peer_key: str) -> None:
    result = _ssh_from_peer(name, "root", "-i", peer_key)
    assert result.returncode == 255
    assert "Permission denied" in result.stderr


def test_sshd_offers_no_password_login(name: str) -> None:
    result = _ssh_from_peer(
        name,
        "opsadmin",
        "-o",
        "PubkeyAuthentication=no",
        "-o",
        "PreferredAuthentications=password,keyboard-interactive",
    )
    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr


def test_admin_logs_in_with_key_and_sudo_asks_for_password(name: str, peer_key: str) -> None:
    result = _ssh_from_peer(name, "opsadmin", "-i", peer_key, command="id -nG; sudo -n true")
    assert "medops-admins" in result.stdout
    assert result.returncode != 0
    assert "password is required" in result.stderr


def test_automation_account_has_passwordless_sudo(name: str, peer_key: str) -> None:
    result = _ssh_from_peer(name, "robot", "-i", peer_key, command="sudo -n id -u")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


@pytest.fixture(scope="module")
def listeners() -> None:
    """Listen on an allowed (8080) and a not-allowed (8099) port on every host."""
    for host_name in HOSTS:
        host = _host(host_name)
        for port in (8080, 8099):
            host.run(
                f"systemctl stop medops-test-{port} 2>/dev/null; "
                f"systemd-run --unit medops-test-{port} python3 -m http.server {port}"
            )
        for port in (8080, 8099):
            host.run(f"for i in $(seq 1 50); do ss -ltn | grep -q ':{port} ' && break; sleep 0.1; done")


def _connects(from_host: str, address: str, port: int) -> bool:
    probe = f"timeout 3 bash -c 'exec 3<>/dev/tcp/{address}/{port}'"
    return _host(from_host).run(probe).rc == 0


@pytest.mark.usefixtures("listeners")
def test_firewall_drops_a_port_that_is_not_allowed(name: str) -> None:
    # The service listens (reachable on the host itself) but the peer cannot reach it.
    assert _connects(name, "127.0.0.1", 8099)
    assert not _connects(PEER[name], HOSTS[name], 8099)


@pytest.mark.usefixtures("listeners")
def test_firewall_admits_allowed_ports_and_ssh_from_admin_network(name: str) -> None:
    assert _connects(PEER[name], HOSTS[name], 8080)
    assert _connects(PEER[name], HOSTS[name], 22)


def test_firewall_leaves_other_tables_alone(name: str) -> None:
    host = _host(name)
    tables = host.check_output("nft list tables")
    assert "table inet medops" in tables
    # Docker's resolver rules live in the same network namespace: names still resolve.
    assert host.run(f"getent hosts {PEER[name]}").rc == 0


def test_sysctl_baseline_written_with_known_keys(name: str) -> None:
    host = _host(name)
    content = host.file("/etc/sysctl.d/60-medops.conf").content_string
    keys = [
        line.split("=")[0].strip()
        for line in content.splitlines()
        if "=" in line and not line.startswith("#")
    ]
    assert "net.ipv4.tcp_syncookies" in keys
    for key in keys:
        assert host.file("/proc/sys/" + key.replace(".", "/")).exists, key


def test_sudoers_is_valid_and_no_unattended_upgrades(name: str) -> None:
    host = _host(name)
    assert host.run("visudo -c").rc == 0
    assert not host.package("unattended-upgrades").is_installed


def test_local_fact_records_the_baseline(name: str) -> None:
    host = _host(name)
    fact = json.loads(host.file("/etc/ansible/facts.d/medops.fact").content_string)
    entry = fact["roles"]["base"]
    assert entry["version"]
    assert entry["applied_at"].endswith("Z")
    assert entry["data"]["timezone"] == "Asia/Shanghai"
    assert fact["environment"] == "molecule"


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


def test_package_lists_cut_off_on_a_new_host_are_refreshed_by_the_next_converge() -> None:
    """A host whose first package-list update was cut off (lists gone, the folder's time fresh, no success
    stamp) once looked fresh to cache_valid_time and failed the next converge ("No package matching
    'chrony'"). Only an update that succeeded stamps the lists now; without the stamp they are refreshed."""
    name = "molecule-base-debian12"
    host = _host(name)
    stamp = "/var/lib/apt/periodic/update-success-stamp"
    assert host.file(stamp).exists
    cut_off = "find /var/lib/apt/lists -maxdepth 1 -type f ! -name lock -delete && touch /var/lib/apt/lists"
    host.check_output(f"rm -f {stamp} && {cut_off}")
    # Nothing is known about a package the baseline does not install.
    assert host.run("apt-cache show nginx-common").rc != 0
    result = _converge("--limit", name, "--tags", "base-packages")
    assert result.returncode == 0, result.stdout[-3000:]
    assert host.file(stamp).exists
    assert host.run("apt-cache show nginx-common").rc == 0


@pytest.mark.parametrize("name", HOSTS)
def test_transient_download_failures_are_retried_at_once(name: str) -> None:
    """APT's delayed retry of a transient failure (an HTTP 503 from a cache refreshing the file) left
    package-list updates waiting forever on Debian 12 (docs/performance.md). The retry must be immediate,
    as APT itself reads its configuration, not only as the file says."""
    host = _host(name)
    dump = host.check_output("apt-config dump Acquire::Retries")
    assert 'Acquire::Retries "3";' in dump.splitlines()
    assert 'Acquire::Retries::Delay "false";' in dump.splitlines()


def test_check_mode_after_converge_reports_no_change() -> None:
    """A dry run against converged hosts must predict nothing: check mode is truthful."""
    result = _converge("--check")
    assert result.returncode == 0, result.stderr[-2000:]
    stats = json.loads(result.stdout)["stats"]
    changed = {host: s["changed"] for host, s in stats.items() if s["changed"]}
    assert changed == {}, f"check mode predicts changes: {changed}"
