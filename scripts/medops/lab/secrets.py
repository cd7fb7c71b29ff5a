"""The lab's secrets: generated on first `make lab`, kept out of git, never overwritten.

- .lab/vault-pass                   vault password of the lab (read by scripts/lab/vault-pass-client.sh)
- .lab/ssh/opsadmin_ed25519[.pub]   key of the lab operator account
- .lab/opsadmin-password            the operator's sudo password
- inventory/lab/group_vars/all/vault.yml   encrypted vault_* values the inventory refers to:
  the operator's key and hash, database passwords, the pgBackRest repository passphrase, the
  medops CA that signs pgBackRest's TLS certificates, the restic repository passwords, and the canary:
  a secret that flows into the applications' environment files so tests can prove that no report,
  record, snapshot or ARA run ever shows a vault value (molecule/estate/tests/test_3_drift.py proves
  it with its own canary)

Values already present are kept; only missing ones are added, so nothing anybody wrote is lost.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from medops.errors import MedopsError
from medops.proc import run

VAULT_ID = "lab"
# Login roles of the lab databases (inventory/lab/group_vars/*_db/postgresql.yml).
DATABASE_ROLES = ("qcis_app", "qcis_readonly", "chfms_app", "chfms_readonly")
# Systems of the backup policy: each has its own restic repository password.
SYSTEMS = ("qcis", "chfms")
CA_SUBJECT = "/O=medops lab/CN=medops lab pgBackRest CA"
WEB_CA_SUBJECT = "/O=medops lab/CN=medops lab web CA"
# Vault values kept or made whole, never completed member by member.
WHOLE_VALUES = frozenset({"vault_pgbackrest_tls_ca", "vault_lab_web_ca"})
CA_DAYS = 3650


def make_ca(subject: str = CA_SUBJECT, days: int = CA_DAYS) -> dict[str, str]:
    """A self-signed CA (EC P-384) as PEM text, {'cert': ..., 'key': ...}; no file outlives the call."""
    with tempfile.TemporaryDirectory(prefix="medops-ca-") as folder:
        key, cert = Path(folder) / "ca.key", Path(folder) / "ca.crt"
        run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1",
                "-nodes", "-days", str(days), "-subj", subject,
                "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", str(key), "-out", str(cert),
            ]
        )  # fmt: skip
        return {"cert": cert.read_text(), "key": key.read_text()}


CANARY_PREFIX = "medops-canary-"


def make_canary() -> str:
    """A value no tool would write by chance: searched for in everything the lab tests produce."""
    return CANARY_PREFIX + secrets.token_hex(12)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(text)


def _ensure_file(path: Path, make: Callable[[], str]) -> bool:
    if path.exists():
        return False
    _write_private(path, make())
    return True


def missing_values(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """Values of `wanted` absent from `current`, recursively for mappings (pure)."""
    missing: dict[str, Any] = {}
    for key, value in wanted.items():
        if key not in current:
            missing[key] = value
        elif isinstance(value, dict) and isinstance(current[key], dict):
            nested = missing_values(current[key], value)
            if nested:
                missing[key] = nested
    return missing


def merge(current: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(current)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def ensure_lab_secrets(root: Path) -> list[str]:
    state = root / ".lab"
    messages: list[str] = []
    if _ensure_file(state / "vault-pass", lambda: secrets.token_urlsafe(32) + "\n"):
        messages.append("generated the lab vault password")
    if _ensure_file(state / "opsadmin-password", lambda: secrets.token_urlsafe(18) + "\n"):
        messages.append("generated the lab operator's sudo password")
    key = state / "ssh" / "opsadmin_ed25519"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "opsadmin@medops-lab", "-f", str(key)])
        messages.append("generated the lab operator's SSH key")

    password = (state / "opsadmin-password").read_text().strip()
    vault_file = root / "inventory" / "lab" / "group_vars" / "all" / "vault.yml"
    vault_args = ["--vault-id", f"{VAULT_ID}@{root / 'scripts' / 'lab' / 'vault-pass-client.sh'}"]
    current: dict[str, Any] = {}
    if vault_file.exists():
        shown = run(["ansible-vault", "view", *vault_args, str(vault_file)], check=False)
        if shown.returncode != 0:
            raise MedopsError(
                f"{vault_file.relative_to(root)} exists but the lab vault password cannot open it; "
                "move it away (it is not deleted by medops) and run again"
            )
        loaded = yaml.safe_load(shown.stdout) or {}
        if not isinstance(loaded, dict):
            raise MedopsError(f"{vault_file.relative_to(root)} does not hold a mapping of vault_* values")
        current = loaded

    wanted_keys: dict[str, Callable[[], Any]] = {
        "vault_lab_opsadmin_ssh_public_key": lambda: key.with_suffix(".pub").read_text().strip(),
        "vault_base_admin_password_hashes": lambda: {
            "opsadmin": run(["openssl", "passwd", "-6", "-stdin"], input_text=password).stdout.strip()
        },
        "vault_postgresql_passwords": lambda: {role: secrets.token_urlsafe(24) for role in DATABASE_ROLES},
        "vault_pgbackrest_repo_cipher_pass": lambda: secrets.token_urlsafe(32),
        "vault_pgbackrest_tls_ca": make_ca,
        "vault_lab_web_ca": lambda: make_ca(subject=WEB_CA_SUBJECT),
        "vault_restic_passwords": lambda: {system: secrets.token_urlsafe(32) for system in SYSTEMS},
        "vault_canary": make_canary,
    }
    wanted = {name: make() for name, make in wanted_keys.items() if name not in current}
    # Nested maps gain missing members only (an existing hash is never replaced). A key pair is one
    # value: a CA that lost its key is not completed with a new key.
    for name, make in wanted_keys.items():
        if name in current and isinstance(current[name], dict) and name not in WHOLE_VALUES:
            nested = missing_values(current[name], make())
            if nested:
                wanted[name] = nested
    if not wanted:
        messages += _export_web_ca(state, current)
        return messages or ["lab secrets present"]
    merged = merge(current, wanted)
    text = "---\n# Lab secrets, generated by `medops lab secrets`. Never committed.\n" + yaml.safe_dump(
        merged, sort_keys=True, default_flow_style=False
    )
    encrypted = run(
        ["ansible-vault", "encrypt", *vault_args, "--encrypt-vault-id", VAULT_ID, "--output", "-", "-"],
        input_text=text,
    ).stdout
    _write_private(vault_file, encrypted)
    messages.append(f"wrote {', '.join(sorted(wanted))} to {vault_file.relative_to(root)}")
    return messages + _export_web_ca(state, merged)


def _export_web_ca(state: Path, values: dict[str, Any]) -> list[str]:
    """The web CA's certificate (public) as .lab/web-ca.crt, for browsers and curl --cacert."""
    cert = str((values.get("vault_lab_web_ca") or {}).get("cert", ""))
    target = state / "web-ca.crt"
    if not cert or (target.exists() and target.read_text() == cert):
        return []
    target.write_text(cert)
    return [f"wrote the lab web CA certificate to {target.name} in .lab/"]
