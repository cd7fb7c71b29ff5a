from __future__ import annotations

import sys
from pathlib import Path

import yaml

from medops.lab.secrets import merge, missing_values

VAULT = str(Path(sys.executable).parent / "ansible-vault")


def test_missing_values_keeps_what_exists() -> None:
    current = {"a": 1, "hashes": {"opsadmin": "$6$old"}}
    wanted = {"a": 2, "b": 3, "hashes": {"opsadmin": "$6$new", "auditor": "$6$x"}}
    assert missing_values(current, wanted) == {"b": 3, "hashes": {"auditor": "$6$x"}}


def test_merge_adds_without_replacing() -> None:
    current = {"hashes": {"opsadmin": "$6$old"}}
    merged = merge(current, {"hashes": {"auditor": "$6$x"}, "b": 1})
    assert merged == {"hashes": {"opsadmin": "$6$old", "auditor": "$6$x"}, "b": 1}
    assert current == {"hashes": {"opsadmin": "$6$old"}}


def test_make_ca_returns_a_ca_certificate_and_its_key() -> None:
    import subprocess

    from medops.lab.secrets import make_ca

    ca = make_ca(days=2)
    assert ca["cert"].startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY-----" in ca["key"]
    text = subprocess.run(
        ["openssl", "x509", "-noout", "-text"], input=ca["cert"], capture_output=True, text=True, check=True
    ).stdout
    assert "CA:TRUE" in text
    assert "Certificate Sign" in text


def test_ensure_lab_secrets_adds_missing_values_and_keeps_the_rest(tmp_path: Path) -> None:
    import shutil
    import subprocess

    from medops.lab.secrets import ensure_lab_secrets

    root = Path(__file__).resolve().parent.parent
    (tmp_path / "scripts" / "lab").mkdir(parents=True)
    shutil.copy(root / "scripts" / "lab" / "vault-pass-client.sh", tmp_path / "scripts" / "lab")
    (tmp_path / "inventory" / "lab" / "group_vars" / "all").mkdir(parents=True)

    first = ensure_lab_secrets(tmp_path)
    assert any("vault_lab_web_ca" in line for line in first)
    web_ca = (tmp_path / ".lab" / "web-ca.crt").read_text()
    assert web_ca.startswith("-----BEGIN CERTIFICATE-----")
    assert ensure_lab_secrets(tmp_path) == ["lab secrets present"]

    vault = tmp_path / "inventory" / "lab" / "group_vars" / "all" / "vault.yml"
    client = f"lab@{tmp_path / 'scripts' / 'lab' / 'vault-pass-client.sh'}"
    shown = subprocess.run(
        [VAULT, "view", "--vault-id", client, str(vault)], capture_output=True, text=True, check=True
    ).stdout
    values = yaml.safe_load(shown)
    assert values["vault_lab_web_ca"]["cert"] == web_ca
    # A value removed by hand comes back; the others stay as they were.
    del values["vault_lab_web_ca"]
    passwords = values["vault_postgresql_passwords"]
    subprocess.run(
        [VAULT, "encrypt", "--vault-id", client, "--encrypt-vault-id", "lab", "--output", str(vault), "-"],
        input=yaml.safe_dump(values),
        text=True,
        check=True,
        capture_output=True,
    )
    (tmp_path / ".lab" / "web-ca.crt").unlink()
    again = ensure_lab_secrets(tmp_path)
    assert any("vault_lab_web_ca" in line for line in again)
    shown = subprocess.run(
        [VAULT, "view", "--vault-id", client, str(vault)], capture_output=True, text=True, check=True
    ).stdout
    assert yaml.safe_load(shown)["vault_postgresql_passwords"] == passwords
    assert (tmp_path / ".lab" / "web-ca.crt").exists()
