"""Inventory sanity: every host in a group, every group_vars file loads, secrets only in vaults."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ["lab", "production"]
BIN = Path(sys.executable).parent
PLACEHOLDER_VAULT_PASSWORD = "medops-placeholder-rekey-me"  # noqa: S105 - documented in docs/secrets.md
SECRET_NAME = re.compile(r"(password|passwd|secret|token|private_key|api_key|_key$|hash)", re.IGNORECASE)


class _VaultLoader(yaml.SafeLoader):
    """Loads YAML with Ansible's !vault tag (inline encrypted values) as opaque strings."""


_VaultLoader.add_constructor("!vault", lambda loader, node: "<vaulted>")
_VaultLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


def _group_var_files(env: str) -> list[Path]:
    return sorted((ROOT / "inventory" / env / "group_vars").rglob("*.yml"))


def _is_vault_file(path: Path) -> bool:
    return path.read_text().startswith("$ANSIBLE_VAULT;")


def _graph(env: str, tmp_path: Path) -> dict[str, Any]:
    """The inventory as Ansible sees it (the production vault opens with its placeholder password)."""
    password = tmp_path / "prod-vault-pass"
    password.write_text(PLACEHOLDER_VAULT_PASSWORD)
    out = subprocess.run(
        [
            str(BIN / "ansible-inventory"),
            "-i",
            str(ROOT / "inventory" / env),
            "--list",
            "--export",
            "--vault-id",
            f"prod@{password}",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_hosts_file_holds_hosts_and_groups_only(env: str) -> None:
    allowed = {"ansible_host", "medops_address"}
    hosts = yaml.safe_load((ROOT / "inventory" / env / "hosts.yml").read_text())

    def walk(group: dict[str, Any], name: str) -> None:
        assert "vars" not in group, (
            f"{env}/hosts.yml: group {name} has vars; use group_vars/{name}/<concern>.yml"
        )
        for host, values in (group.get("hosts") or {}).items():
            extra = set(values or {}) - allowed
            assert not extra, f"{env}/hosts.yml: {host} has variables {sorted(extra)}"
        for child, sub in (group.get("children") or {}).items():
            walk(sub or {}, child)

    walk(hosts["all"], "all")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_host_is_in_a_group_and_has_an_address(env: str, tmp_path: Path) -> None:
    export = _graph(env, tmp_path)
    ungrouped = export.get("ungrouped", {}).get("hosts", [])
    assert ungrouped == [], f"{env}: hosts in no group: {ungrouped}"
    hostvars = export["_meta"]["hostvars"]
    assert hostvars, f"{env}: no hosts"
    for host, values in hostvars.items():
        assert values.get("medops_address"), f"{env}: {host} has no medops_address"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_group_vars_name_real_groups(env: str, tmp_path: Path) -> None:
    export = _graph(env, tmp_path)
    groups = set(export) - {"_meta"}
    for folder in (ROOT / "inventory" / env / "group_vars").iterdir():
        assert folder.is_dir(), (
            f"{folder}: group_vars holds one folder per group (group_vars/<group>/<concern>.yml)"
        )
        assert folder.name in groups, f"{env}: group_vars/{folder.name} names no inventory group"


@pytest.mark.parametrize("path", [p for env in ENVIRONMENTS for p in _group_var_files(env)], ids=str)
def test_group_vars_file_loads(path: Path) -> None:
    if _is_vault_file(path):
        return
    data = yaml.load(path.read_text(), Loader=_VaultLoader)  # noqa: S506 - SafeLoader subclass
    assert isinstance(data, dict), f"{path} must hold a mapping of variables"


def _plain_secrets(data: Any, trail: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{trail}.{key}" if trail else str(key)
            if (
                isinstance(value, str)
                and SECRET_NAME.search(str(key))
                and "{{" not in value
                and value != "<vaulted>"
            ):
                found.append(where)
            found.extend(_plain_secrets(value, where))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_plain_secrets(value, f"{trail}[{index}]"))
    return found


@pytest.mark.parametrize("path", [p for env in ENVIRONMENTS for p in _group_var_files(env)], ids=str)
def test_no_plain_text_secret_outside_vault_files(path: Path) -> None:
    if _is_vault_file(path):
        return
    text = path.read_text()
    assert "BEGIN OPENSSH PRIVATE KEY" not in text and "PRIVATE KEY-----" not in text
    assert not re.search(r"\$(1|5|6|y)\$[^\s\"']{8,}", text), f"{path}: a password hash belongs in vault.yml"
    data = yaml.load(text, Loader=_VaultLoader)  # noqa: S506 - SafeLoader subclass
    leaks = _plain_secrets(data)
    assert not leaks, f"{path}: secret-looking values in plain text: {leaks}; refer to vault_* names instead"


def test_vault_values_are_only_defined_in_vault_files() -> None:
    for env in ENVIRONMENTS:
        for path in _group_var_files(env):
            if path.name == "vault.yml" or _is_vault_file(path):
                continue
            data = yaml.load(path.read_text(), Loader=_VaultLoader) or {}  # noqa: S506
            defined = [k for k in data if str(k).startswith("vault_")]
            assert not defined, f"{path}: defines {defined}; vault_* values live in vault.yml"


PRODUCTION_VAULT = ROOT / "inventory" / "production" / "group_vars" / "all" / "vault.yml"
PROD_ENVELOPE = "$ANSIBLE_VAULT;1.2;AES256;prod"


class _Vaulted(str):
    """The ciphertext of a !vault value."""

    __slots__ = ()


class _CiphertextLoader(yaml.SafeLoader):
    """Loads YAML with each !vault value as its ciphertext (a _Vaulted string)."""


_CiphertextLoader.add_constructor(
    "!vault",
    lambda loader, node: _Vaulted(loader.construct_scalar(node)),  # type: ignore[arg-type]
)


def _leaves(data: Any, trail: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [
            leaf for key, value in data.items() for leaf in _leaves(value, f"{trail}.{key}" if trail else key)
        ]
    if isinstance(data, list):
        return [leaf for index, value in enumerate(data) for leaf in _leaves(value, f"{trail}[{index}]")]
    return [(trail, data)]


def _production_vault() -> dict[str, Any]:
    data = yaml.load(PRODUCTION_VAULT.read_text(), Loader=_CiphertextLoader)  # noqa: S506 - SafeLoader subclass
    assert isinstance(data, dict), "production vault.yml must hold a mapping of vault_* names"
    return data


def test_production_vault_values_are_encrypted_one_by_one_with_vault_id_prod() -> None:
    """AWX's inventory sync reads vault.yml without a password: only the values may be encrypted."""
    data = _production_vault()
    assert data, "production vault.yml holds no values"
    assert all(str(name).startswith("vault_") for name in data), f"not vault_* names: {sorted(data)}"
    for name, value in _leaves(data):
        assert isinstance(value, _Vaulted), f"{name} is plain text; use medops vault set (docs/secrets.md)"
        assert value.startswith(PROD_ENVELOPE + "\n"), f"{name} is not encrypted with vault id prod"
    referenced = set()
    for path in _group_var_files("production"):
        referenced |= set(re.findall(r"\b(vault_[a-z0-9_]+)", path.read_text()))
    assert referenced <= set(data), f"referenced but not in the vault: {sorted(referenced - set(data))}"


def test_production_vault_holds_placeholders_under_the_placeholder_password() -> None:
    """Until the hand-over (docs/secrets.md): every value opens with the documented password, unchanged."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([("prod", VaultSecret(PLACEHOLDER_VAULT_PASSWORD.encode()))])
    for name, value in _leaves(_production_vault()):
        plain = vault.decrypt(str(value)).decode()
        assert re.search(r"CHANGE-?ME|PLACEHOLDER", plain), f"{name} no longer holds a placeholder"


def test_inventory_export_without_a_vault_password_holds_only_ciphertext() -> None:
    """What AWX's inventory sync stores: the production inventory read with no prod password."""
    out = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(ROOT / "inventory" / "production"), "--list", "--export"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    export = json.loads(out)
    assert "CHANGE-ME" not in out and "CHANGEME" not in out
    names = set(_production_vault())
    group_vars = export["all"]["vars"]
    assert names <= set(group_vars), f"not exported: {sorted(names - set(group_vars))}"
    for name, value in _leaves({k: v for k, v in group_vars.items() if k in names}):
        assert name.endswith(".__ansible_vault") and str(value).startswith(PROD_ENVELOPE), (
            f"{name} is exported as {value!r}, not as prod ciphertext"
        )


def test_lab_vault_is_never_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "inventory/lab/group_vars/all/vault.yml"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0


# Playbooks that use no secret: they need not open the vault first.
PLAYBOOKS_WITHOUT_SECRETS = {"patch-plan.yml", "vault-check.yml"}


@pytest.mark.parametrize(
    "playbook",
    sorted(p.name for p in (ROOT / "playbooks").glob("*.yml") if p.name not in PLAYBOOKS_WITHOUT_SECRETS),
)
def test_playbook_opens_the_vault_before_any_other_play(playbook: str) -> None:
    plays = yaml.safe_load((ROOT / "playbooks" / playbook).read_text())
    assert plays[0].get("ansible.builtin.import_playbook") == "vault-check.yml", (
        f"{playbook}: its first play must be `ansible.builtin.import_playbook: vault-check.yml`"
    )


def test_a_playbook_without_the_vault_password_stops_before_anything_else(tmp_path: Path) -> None:
    """deploy.yml on production without its vault password: every host fails the vault check on the
    control node, and no later play runs, not even the control node's own check of the request (the
    connection points at a container name that does not exist, so no address is ever contacted)."""
    result = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            str(ROOT / "inventory" / "production"),
            str(ROOT / "playbooks" / "deploy.yml"),
            "-e",
            "system=qcis",
            "-e",
            "version=1.1.0",
            "-e",
            "ansible_connection=community.docker.docker",
            "-e",
            "ansible_host=medops-no-such-host",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "ANSIBLE_NOCOLOR": "1"},
        timeout=300,
    )
    assert result.returncode != 0
    plays = re.findall(r"^PLAY \[(.+?)\]", result.stdout, re.MULTILINE)
    assert plays == ["Check that the inventory's secrets open (no host is contacted)"], plays
    assert "Decryption failed" in result.stdout + result.stderr
