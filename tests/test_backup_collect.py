"""Live collection through Ansible: the command line and the parsing of Ansible's JSON output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from medops.backup import collect
from medops.backup.collect import ansible_argv, ansible_env, stdout_from_ansible_json
from medops.errors import MedopsError

INFO = (
    (Path(__file__).resolve().parent / "data" / "pgbackrest" / "healthy-two-stanzas.json").read_text().strip()
)


def _ansible_output(hosts: dict[str, dict[str, Any]]) -> str:
    """What `ansible` prints with the ansible.posix.json stdout callback (abridged to what is read)."""
    return json.dumps(
        {
            "custom_stats": {},
            "global_custom_stats": {},
            "plays": [
                {
                    "play": {"name": "Ansible Ad-Hoc", "id": "1"},
                    "tasks": [{"task": {"name": "ansible.builtin.command", "id": "2"}, "hosts": hosts}],
                }
            ],
            "stats": {h: {"ok": 1} for h in hosts},
        },
        indent=4,
    )


def test_argv_runs_pgbackrest_info_as_pgbackrest_on_the_backup_group() -> None:
    argv = ansible_argv(Path("inventory/production"), ["prod@prompt"])
    assert argv[:4] == ["ansible", "backup", "-i", "inventory/production"]
    assert argv[argv.index("-a") + 1] == "pgbackrest --output=json info"
    assert argv[argv.index("--become-user") + 1] == "pgbackrest"
    assert "--become" in argv and argv[-2:] == ["--vault-id", "prod@prompt"]


def test_env_asks_for_json_output() -> None:
    env = ansible_env({"PATH": "/usr/bin"})
    assert env["ANSIBLE_STDOUT_CALLBACK"] == "ansible.posix.json"
    assert env["ANSIBLE_LOAD_CALLBACK_PLUGINS"] == "1"
    assert env["PATH"].endswith("/usr/bin")


def test_stdout_of_the_one_host() -> None:
    output = _ansible_output({"backup1": {"changed": True, "rc": 0, "stdout": INFO, "stderr": ""}})
    host, stdout = stdout_from_ansible_json("[WARNING]: something\n" + output)
    assert host == "backup1" and stdout == INFO


@pytest.mark.parametrize(
    ("hosts", "message"),
    [
        (
            {
                "backup1": {
                    "failed": True,
                    "rc": 1,
                    "stderr": "ERROR: [055]: unable to load info file",
                    "stdout": "",
                }
            },
            r"pgbackrest --output=json info failed on backup1 \(rc 1\): "
            r"ERROR: \[055\]: unable to load info file",
        ),
        (
            {"backup1": {"unreachable": True, "msg": "Failed to connect to the host via ssh"}},
            "backup1 is unreachable",
        ),
        ({}, "no host in the inventory's backup group answered"),
        (
            {"backup1": {"rc": 0, "stdout": INFO}, "backup2": {"rc": 0, "stdout": INFO}},
            r"the backup group has 2 hosts \(backup1, backup2\)",
        ),
        ({"backup1": {"rc": 0, "stdout": ""}}, "printed nothing on backup1"),
    ],
)
def test_failures_name_the_host_and_reason(hosts: dict[str, dict[str, Any]], message: str) -> None:
    with pytest.raises(MedopsError, match=message):
        stdout_from_ansible_json(_ansible_output(hosts))


def test_output_that_is_not_json() -> None:
    with pytest.raises(MedopsError, match="ansible printed no results"):
        stdout_from_ansible_json("ERROR! the playbook could not be found")
    with pytest.raises(MedopsError, match="ansible's output is not JSON"):
        stdout_from_ansible_json("{ truncated")


def test_collect_runs_from_the_repository_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.update(argv=argv, **kwargs)
        output = _ansible_output({"backup1": {"rc": 0, "stdout": INFO}})
        return subprocess.CompletedProcess(argv, 0, output, "[DEPRECATION WARNING]: something\n")

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert collect.collect_info(tmp_path, tmp_path / "inventory" / "lab") == ("backup1", INFO)
    assert seen["cwd"] == tmp_path and seen["argv"][:2] == ["ansible", "backup"]
    assert seen["env"]["ANSIBLE_STDOUT_CALLBACK"] == "ansible.posix.json"


def test_collect_reports_ansible_own_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake_run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(
            argv, 1, "", "ERROR! Attempting to decrypt but no vault secrets found\n"
        )

    monkeypatch.setattr(subprocess, "run", fake_run)
    with pytest.raises(
        MedopsError, match=r"failed \(exit 1\): ERROR! Attempting to decrypt but no vault secrets"
    ):
        collect.collect_info(tmp_path, tmp_path)
