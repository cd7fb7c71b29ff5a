"""Drift, the configuration inventory and the canary, on the estate test_1_deploy.py and
test_2_inspect.py left (converged by site.yml, a release deployed, inspected).

The tests run in this order and share the scenario's records folder (every file the scenario produces
is there, or in ARA's database of the scenario's runs): drift is empty; drift after three changes made
by hand names exactly those three; the inventory site builds and its history shows a change made
between two snapshots; the canary secret of the scenario's vault is on the hosts but in nothing
produced. Every change made to a host is undone in `finally`, so the patch cycle and the drill that
follow find the estate converged.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from estate import APP, APP2, DB, EPHEMERAL, HOSTS, INVENTORY, RECORDS, ROOT, SPARE
from estate import medops as _medops

sys.path.insert(0, str(ROOT / "scripts"))

from medops.drift.redact import MIN_LENGTH, secret_values
from medops.drift.run import items

SSHD_HOST, LISTENER_HOST, USER_HOST, HISTORY_HOST = APP, APP2, DB, SPARE
LISTENER_PORT = 18081
LISTENER_UNIT = "medops-drift-test-listener"
INTRUDER = "medops-intruder"
SSHD_LINE = "# medops drift test: a change made by hand"
CANARY_FILE = EPHEMERAL / "inventory" / "canary.yml"


@pytest.fixture(scope="module")
def records() -> Path:
    return RECORDS


def medops(*args: str, records: Path) -> subprocess.CompletedProcess[str]:
    """A medops verb on the scenario's inventory."""
    return _medops(*args, "-i", str(INVENTORY), records=records)


def on(host: str, script: str, *, check: bool = True) -> str:
    result = subprocess.run(
        ["docker", "exec", host, "sh", "-c", script], capture_output=True, text=True, check=check, timeout=300
    )
    return result.stdout


def newest_drift(records: Path) -> dict[str, Any]:
    found = sorted((records / "drift").glob("*.json"))
    assert found, "medops drift wrote no JSON report"
    data: dict[str, Any] = json.loads(found[-1].read_text(encoding="utf-8"))
    return data


def drifted(data: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {h["name"]: items(h) for h in data["hosts"] if h["status"] != "clean"}


def test_drift_after_converge_is_empty(records: Path) -> None:
    result = medops("drift", records=records)
    assert result.returncode == 0, result.stdout + result.stderr
    data = newest_drift(records)
    assert drifted(data) == {}
    assert {h["name"] for h in data["hosts"]} == set(HOSTS)


@pytest.fixture
def three_changes() -> Iterator[None]:
    try:
        on(SSHD_HOST, f"echo '{SSHD_LINE}' >> /etc/ssh/sshd_config")
        on(LISTENER_HOST, f"systemd-run --unit={LISTENER_UNIT} python3 -m http.server {LISTENER_PORT}")
        on(USER_HOST, f"useradd -m -s /bin/bash {INTRUDER} && echo '{INTRUDER}:Lab-test-only-1' | chpasswd")
        yield
    finally:
        on(SSHD_HOST, f"sed -i '/^{SSHD_LINE}$/d' /etc/ssh/sshd_config", check=False)
        on(LISTENER_HOST, f"systemctl stop {LISTENER_UNIT}", check=False)
        on(USER_HOST, f"userdel -r {INTRUDER}", check=False)


@pytest.mark.usefixtures("three_changes")
def test_drift_names_exactly_the_three_changes(records: Path) -> None:
    result = medops("drift", records=records)
    assert result.returncode == 2, result.stdout + result.stderr
    found = drifted(newest_drift(records))
    assert found == {
        SSHD_HOST: [("change", "base: Write the sshd configuration (/etc/ssh/sshd_config)")],
        LISTENER_HOST: [("port", f"tcp/{LISTENER_PORT}")],
        USER_HOST: [("user", INTRUDER)],
    }
    assert (records / "drift").glob("*.zh-CN.html")


def _snapshots(records: Path) -> int:
    return len(list((records / "config-inventory" / "snapshots").glob("*.json")))


def test_inventory_site_and_history(records: Path) -> None:
    before = _snapshots(records)
    first = medops("inventory", records=records)
    assert first.returncode == 0, first.stdout + first.stderr
    site = records / "config-inventory" / "site"
    hosts = json.loads((site / "snapshot.json").read_text(encoding="utf-8"))["hosts"]
    assert {h["name"] for h in hosts} == set(HOSTS)
    for host in hosts:
        for name in (f"{host['name']}.html", f"{host['name']}.zh-CN.html"):
            assert (site / "hosts" / name).is_file()
    assert (site / "index.html").is_file() and (site / "index.zh-CN.html").is_file()
    try:
        on(
            HISTORY_HOST,
            f"useradd -m -s /bin/bash {INTRUDER} && echo '{INTRUDER}:Lab-test-only-2' | chpasswd",
        )
        second = medops("inventory", records=records)
        assert second.returncode == 0, second.stdout + second.stderr
    finally:
        on(HISTORY_HOST, f"userdel -r {INTRUDER}", check=False)
    assert _snapshots(records) == before + 2
    page = (site / "hosts" / f"{HISTORY_HOST}.html").read_text(encoding="utf-8")
    assert INTRUDER in page
    changes = (site / "csv" / "changes.csv").read_text(encoding="utf-8")
    assert f"{HISTORY_HOST},".lower() in changes.lower() and INTRUDER in changes


def _vault() -> dict[str, Any]:
    """The scenario's vault (prepare.yml), opened with its password (ANSIBLE_VAULT_IDENTITY_LIST)."""
    shown = subprocess.run(
        ["ansible-vault", "view", str(CANARY_FILE)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    values = (yaml.safe_load(shown.stdout) or {})["canary"]["vars"]
    assert isinstance(values, dict)
    return values


def _canary() -> str:
    value = _vault().get("vault_canary")
    assert isinstance(value, str) and value.startswith("medops-canary-"), "prepare.yml makes vault_canary"
    return value


def _texts_of_sqlite(path: Path) -> Iterator[str]:
    """Every text and blob of an ARA database, zlib-compressed ones decompressed (ARA compresses results)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from sqlite_master
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            yield zlib.decompress(value).decode("utf-8", "replace")
                        except zlib.error:
                            yield value.decode("utf-8", "replace")
                    elif isinstance(value, str):
                        yield value
    finally:
        connection.close()


def test_canary_never_appears_in_anything_produced(records: Path) -> None:
    canary = _canary()
    # It is real: the application hosts hold it (no_log keeps it out of Ansible's output).
    assert canary in on(SSHD_HOST, "cat /etc/qcis/app.env")
    # The vault file itself is ciphertext.
    assert canary.encode() not in CANARY_FILE.read_bytes()
    produced = [p for p in records.rglob("*") if p.is_file()]
    assert produced
    for path in produced:
        assert canary.encode() not in path.read_bytes(), path
    databases = list((EPHEMERAL / "ara").rglob("*.sqlite"))
    assert databases, "ARA recorded no run (is ara installed? make venv; MEDOPS_ARA_CALLBACKS)"
    for database in databases:
        assert canary.encode() not in database.read_bytes()
        for text in _texts_of_sqlite(database):
            assert canary not in text, database


def _produced_texts(records: Path) -> Iterator[tuple[str, str]]:
    for path in records.rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes().decode("utf-8", "replace")
    for database in (EPHEMERAL / "ara").rglob("*.sqlite"):
        for text in _texts_of_sqlite(database):
            yield str(database), text


def test_no_vault_value_in_anything_produced(records: Path) -> None:
    """Beyond the canary: every secret of the scenario's vault."""
    secrets = {
        text: name
        for text, name in secret_values({"estate": _vault()}).items()
        if len(text) >= MIN_LENGTH and "public_key" not in name and not name.endswith(".cert")
    }
    leaks = {(where, secrets[s]) for where, text in _produced_texts(records) for s in secrets if s in text}
    assert leaks == set()
