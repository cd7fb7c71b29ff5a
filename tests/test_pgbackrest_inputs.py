"""The pgbackrest role refuses bad inputs and policies before anything changes, naming the variable."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_inputs import run_input_check

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CA_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
CA_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
POLICY: dict[str, Any] = {
    "repository": {
        "cipher_type": "aes-256-cbc",
        "cipher_pass": "a-long-enough-passphrase-for-tests",
        "compress_type": "zst",
        "compress_level": 3,
        "process_max_backup": 2,
        "process_max_restore": 2,
        "archive_timeout_seconds": 60,
    },
    "systems": {
        "qcis": {
            "schedule": {"full": "Sun *-*-* 01:00:00", "verify": "Sat *-*-* 04:00:00"},
            "retention": {"full": 2, "diff": 6},
        }
    },
}
INVENTORY: dict[str, Any] = {
    "all": {
        "hosts": {"localhost": {"ansible_connection": "local"}},
        "children": {
            "backup": {"hosts": {"repo1": {"medops_address": "10.0.0.51"}}},
            "db_servers": {
                "hosts": {
                    "db1": {
                        "medops_address": "10.0.0.21",
                        "pgbackrest_stanza": "qcis",
                        "pgbackrest_pg_path": "/var/lib/postgresql/15/main",
                    }
                }
            },
        },
    }
}
GOOD: dict[str, Any] = {
    "pgbackrest_mode": "repository",
    "pgbackrest_policy": POLICY,
    "pgbackrest_tls_ca_cert": CA_CERT,
    "pgbackrest_tls_ca_key": CA_KEY,
}


def _run(extra: dict[str, Any], tmp_path: Path, inventory: dict[str, Any] | None = None) -> str:
    inventory_file = tmp_path / "hosts.yml"
    inventory_file.write_text(yaml.safe_dump(inventory or INVENTORY))
    result = run_input_check("pgbackrest-inputs.yml", {**GOOD, **extra}, tmp_path, str(inventory_file))
    return f"rc={result.returncode}\n{result.stdout}{result.stderr}"


def _policy(**changes: Any) -> dict[str, Any]:
    policy = copy.deepcopy(POLICY)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = policy
        for key in parents:
            node = node[key]
        node[leaf] = value
    return policy


@pytest.mark.parametrize("mode", ["repository", "restore"])
def test_good_inputs_pass(mode: str, tmp_path: Path) -> None:
    output = _run({"pgbackrest_mode": mode}, tmp_path)
    assert output.startswith("rc=0"), output[-3000:]


def test_good_database_inputs_pass(tmp_path: Path) -> None:
    extra = {
        "pgbackrest_mode": "database",
        "pgbackrest_stanza": "qcis",
        "pgbackrest_pg_path": "/var/lib/postgresql/15/main",
    }
    output = _run(extra, tmp_path)
    assert output.startswith("rc=0"), output[-3000:]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"pgbackrest_policy": {}}, "pgbackrest_policy is empty"),
        (
            {"pgbackrest_policy": _policy(repository__compress_type="gz")},
            "pgbackrest_policy.repository.compress_type gz must be zst or lz4",
        ),
        (
            {
                "pgbackrest_policy": _policy(
                    repository__cipher_pass="CHANGE-ME-pgbackrest-repository-passphrase"  # noqa: S106 - a placeholder
                )
            },
            "pgbackrest_policy.repository.cipher_pass is empty or a placeholder",
        ),
        (
            {"pgbackrest_tls_ca_key": "-----BEGIN PRIVATE KEY-----\nCHANGE-ME\n-----END PRIVATE KEY-----\n"},
            "pgbackrest_tls_ca_cert or pgbackrest_tls_ca_key is a placeholder",
        ),
        ({"pgbackrest_tls_ca_cert": ""}, "pgbackrest_tls_ca_cert must hold the medops CA certificate"),
        ({"pgbackrest_tls_port": 70000}, "pgbackrest_tls_port 70000 is not a port number"),
        ({"pgbackrest_mode": "primary"}, "pgbackrest_mode"),
        (
            {"pgbackrest_mode": "database", "pgbackrest_stanza": "nosuch", "pgbackrest_pg_path": "/x"},
            "pgbackrest_stanza nosuch is not a system of pgbackrest_policy.systems",
        ),
        (
            {"pgbackrest_mode": "database", "pgbackrest_stanza": "qcis", "pgbackrest_pg_path": "relative"},
            "pgbackrest_pg_path relative must be an absolute path",
        ),
        (
            {"pgbackrest_policy": _policy(systems__chfms=copy.deepcopy(POLICY["systems"]["qcis"]))},
            "pgbackrest_policy.systems.chfms has no database host with pgbackrest_stanza: chfms",
        ),
        ({"pgbackrest_restore_pg_versions": ["fifteen"]}, "pgbackrest_restore_pg_versions: fifteen"),
    ],
)
def test_bad_input_is_refused_naming_the_variable(
    extra: dict[str, Any], message: str, tmp_path: Path
) -> None:
    output = _run(extra, tmp_path)
    assert not output.startswith("rc=0")
    assert message in output, output[-3000:]


def test_two_repository_hosts_are_refused(tmp_path: Path) -> None:
    inventory = copy.deepcopy(INVENTORY)
    inventory["all"]["children"]["backup"]["hosts"]["repo2"] = {"medops_address": "10.0.0.52"}
    output = _run({}, tmp_path, inventory)
    assert "pgbackrest_repository_group backup must hold exactly one host, not 2" in output


@pytest.mark.parametrize("db_release", ["12", "13"])
def test_mixed_releases_are_refused(db_release: str, tmp_path: Path) -> None:
    # The repository host is the control node here; the other host's facts come from the fixture.
    inventory = copy.deepcopy(INVENTORY)
    inventory["all"]["children"]["backup"]["hosts"] = {"localhost": {}}
    inventory["all"]["children"]["db_servers"]["hosts"]["db1"]["ansible_connection"] = "local"
    facts = {
        "localhost": {"distribution_major_version": "12"},
        "db1": {"distribution_major_version": db_release},
    }
    output = _run({"pgbackrest_mode": "repository", "test_host_facts": facts}, tmp_path, inventory)
    if db_release == "12":
        assert output.startswith("rc=0"), output[-3000:]
    else:
        assert output.startswith("rc=2"), output[-3000:]
        assert "localhost runs Debian 12 but db1 runs Debian 13" in output
