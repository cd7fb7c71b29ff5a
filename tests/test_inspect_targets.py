"""Hosts from inventory, --limit with Ansible's pattern semantics, how each host is reached, thresholds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from medops.errors import MedopsError
from medops.inspect.targets import Inventory, parse_inventory, select_hosts, target_for
from medops.inspect.thresholds import DEFAULTS, defaults, thresholds_for

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "inventory" / "lab"
PRODUCTION = ROOT / "inventory" / "production"
PLACEHOLDER_VAULT_PASSWORD = "medops-placeholder-rekey-me"  # noqa: S105 - documented in docs/secrets.md


def _inventory_json(source: Path, tmp: Path) -> str:
    password = tmp / "vault-pass"
    password.write_text(PLACEHOLDER_VAULT_PASSWORD)
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-inventory"),
            "-i",
            str(source),
            "--list",
            "--vault-id",
            f"prod@{password}",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return parse_inventory(_inventory_json(LAB, tmp_path_factory.mktemp("lab")))


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    return parse_inventory(_inventory_json(PRODUCTION, tmp_path_factory.mktemp("prod")))


LIMITS = [
    "qcis-app1",
    "app_servers",
    "qcis:chfms",
    "qcis,backup1",
    "app_servers:&qcis",
    "all:!spare",
    "!spare",
    "qcis-*",
    "*-db1:!chfms*",
    "~(qcis|chfms)-db.*",
    "db_servers:&chfms:backup1",
    "app_servers:!qcis-app2:&qcis",
]
# Ansible's own matcher (InventoryManager.subset, which --limit uses), every pattern in one process.
ANSIBLE_SELECTS = """
import json, sys
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()
manager = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
found = {}
for limit in json.loads(sys.argv[2]):
    manager.subset(limit)
    found[limit] = sorted(h.name for h in manager.get_hosts("all"))
    manager.subset(None)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def ansible_hosts() -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", ANSIBLE_SELECTS, str(LAB / "hosts.yml"), json.dumps(LIMITS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_lab_inventory(lab: Inventory) -> None:
    assert sorted(lab.hosts) == [
        "backup1",
        "chfms-app1",
        "chfms-db1",
        "qcis-app1",
        "qcis-app2",
        "qcis-db1",
        "spare1",
    ]
    assert lab.groups["app_servers"] == {"qcis-app1", "qcis-app2", "chfms-app1"}
    assert lab.groups["qcis"] == {"qcis-app1", "qcis-app2", "qcis-db1"}
    assert lab.environment == "lab"


@pytest.mark.parametrize("limit", LIMITS)
def test_limit_matches_what_ansible_selects(
    lab: Inventory, ansible_hosts: dict[str, list[str]], limit: str
) -> None:
    assert select_hosts(lab, limit) == ansible_hosts[limit]


def test_limit_errors(lab: Inventory) -> None:
    with pytest.raises(MedopsError, match="matches no host"):
        select_hosts(lab, "nosuchhost")
    with pytest.raises(MedopsError, match="matches no host"):
        select_hosts(lab, "qcis:&chfms")
    with pytest.raises(MedopsError, match="retry file"):
        select_hosts(lab, "@failed.retry")
    with pytest.raises(MedopsError, match="subscripts"):
        select_hosts(lab, "app_servers[0]")
    with pytest.raises(MedopsError, match="not a regular expression"):
        select_hosts(lab, "~(")
    assert select_hosts(lab, None) == sorted(lab.hosts)


def test_lab_hosts_are_reached_with_docker_exec(lab: Inventory) -> None:
    target = target_for("qcis-db1", lab)
    assert target.argv == ("docker", "exec", "-i", "qcis-db1", "sh", "-s")
    assert (target.connection, target.address, target.problem) == ("docker", "172.30.77.21", "")
    assert target.groups == ("db_servers", "qcis", "qcis_db")


def test_production_hosts_are_reached_with_ssh_and_sudo(production: Inventory) -> None:
    target = target_for("qcis-db1", production)
    assert target.connection == "ssh"
    assert target.argv[0] == "ssh" and "BatchMode=yes" in target.argv
    assert target.argv[-5:] == ("ops-ansible@10.20.3.11", "sudo", "-n", "sh", "-s")


def _one(hostvars: dict[str, object]) -> Inventory:
    return Inventory({"h1": hostvars}, {"all": frozenset({"h1"}), "g": frozenset({"h1"})}, "")


def test_ssh_options_local_and_unsupported_connections() -> None:
    ssh = target_for(
        "h1",
        _one(
            {
                "ansible_host": "10.0.0.5",
                "ansible_user": "root",
                "ansible_port": 2222,
                "ansible_ssh_private_key_file": "~/.ssh/ops",
                "ansible_ssh_common_args": "-o ProxyJump=jump1",
            }
        ),
    )
    assert ssh.argv[-3:] == ("root@10.0.0.5", "sh", "-s")
    assert ssh.argv[ssh.argv.index("-p") : ssh.argv.index("-p") + 2] == ("-p", "2222")
    assert "-i" in ssh.argv and "ProxyJump=jump1" in ssh.argv
    assert target_for("h1", _one({"ansible_connection": "local"})).argv == ("sh", "-s")
    winrm = target_for("h1", _one({"ansible_connection": "winrm"}))
    assert winrm.argv == () and "not supported" in winrm.problem
    templated = target_for("h1", _one({"ansible_host": "{{ lookup('env', 'X') }}"}))
    assert "is a template" in templated.problem


def test_default_thresholds_and_inventory_files() -> None:
    assert defaults()["disk_used"].warning == 0.80
    for env in (LAB, PRODUCTION):
        import yaml

        values = yaml.safe_load((env / "group_vars" / "all" / "inspection.yml").read_text())
        thresholds = thresholds_for(values)
        assert set(thresholds.limits) == set(DEFAULTS)
    # Every default is written out in the inventory file, so the file is the whole truth.
    lab_values = yaml.safe_load((LAB / "group_vars" / "all" / "inspection.yml").read_text())
    assert set(lab_values["inspection_thresholds"]) == set(DEFAULTS)


def test_group_overrides_merge_limit_by_limit() -> None:
    thresholds = thresholds_for(
        {
            "inspection_thresholds": {"disk_used": {"warning": 0.7, "critical": 0.85}},
            "inspection_thresholds__db_servers": {
                "disk_used": {"critical": 0.95},
                "pg_connections_used": {"warning": 0.6},
            },
            "inspection_services": ["postgresql-exporter"],
            "inspection_services__backup": ["restic-check.timer"],
            "inspection_certificates__qcis_app": ["/etc/ssl/qcis/*.crt"],
            "inspection_ignore_mounts": ["/boot/efi"],
        }
    )
    assert (thresholds["disk_used"].warning, thresholds["disk_used"].critical) == (0.7, 0.95)
    assert (
        thresholds["pg_connections_used"].warning == 0.6 and thresholds["pg_connections_used"].critical == 0.9
    )
    assert thresholds.services == ("postgresql-exporter.service", "restic-check.timer")
    assert thresholds.certificates == ("/etc/ssl/qcis/*.crt",)
    assert thresholds.ignored("/boot/efi") and not thresholds.ignored("/dev")


@pytest.mark.parametrize(
    ("hostvars", "message"),
    [
        (
            {"inspection_thresholds": {"disk_usage": {"warning": 0.8}}},
            "inspection_thresholds.disk_usage: no such limit",
        ),
        (
            {"inspection_thresholds": {"disk_used": {"warning": "80%"}}},
            "disk_used.warning: '80%' is not a number",
        ),
        (
            {"inspection_thresholds": {"disk_used": {"warning": 80, "critical": 90}}},
            "80 is a share and must be at most 1",
        ),
        (
            {"inspection_thresholds": {"disk_used": {"warning": 0.95, "critical": 0.9}}},
            "warning 0.95 must not be above critical 0.9",
        ),
        (
            {"inspection_thresholds": {"certificate_days_left": {"warning": 5, "critical": 10}}},
            "warning 5 must not be below critical 10 (lower is worse)",
        ),
        ({"inspection_thresholds": {"disk_used": 0.8}}, "expected a mapping such as"),
        ({"inspection_thresholds": {"disk_used": {"warn": 0.8}}}, "unknown key 'warn'"),
        ({"inspection_thresholds": {"journal_errors": {"warning": -1}}}, "is negative"),
        ({"inspection_thresholds": ["disk_used"]}, "expected a mapping of limits"),
        (
            {"inspection_thresholds__db": {"memory_used": {"critical": True}}},
            "inspection_thresholds__db.memory_used.critical",
        ),
        ({"inspection_services": ["nginx; rm -rf /"]}, "is not a systemd unit name"),
        ({"inspection_services": "nginx"}, "expected a list of names"),
        ({"inspection_certificates": ["relative.crt"]}, "must be an absolute path"),
        ({"inspection_certificates": ["/etc/x $(id).crt"]}, "must be an absolute path"),
    ],
)
def test_bad_thresholds_are_refused_with_the_variable_named(
    hostvars: dict[str, object], message: str
) -> None:
    with pytest.raises(
        MedopsError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")
    ):
        thresholds_for(hostvars)


def test_a_level_can_be_turned_off() -> None:
    thresholds = thresholds_for(
        {"inspection_thresholds": {"pending_updates": {"warning": None, "critical": None}}}
    )
    assert thresholds["pending_updates"].judge(10_000).value == "ok"
