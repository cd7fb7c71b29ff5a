"""Encrypt and decrypt single values with Ansible's own vault code, and read vault passwords.

A vault identity is written as Ansible writes it, `ID@SOURCE`: `prod@prompt` asks without echo,
`prod@FILE` reads the password from a file, or runs it when it is executable (as Ansible does).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medops.errors import MedopsError
from medops.proc import run


@dataclass(frozen=True)
class Secret:
    """A vault id and its password."""

    vault_id: str
    password: bytes = field(repr=False)


def parse_identity(text: str) -> tuple[str, str | None]:
    """`prod@prompt` → ('prod', 'prompt'); `prod` → ('prod', None)."""
    vault_id, _, source = text.partition("@")
    if not vault_id or any(c in vault_id for c in ";\n "):
        raise MedopsError(f"vault id {text!r}: write it as ID@SOURCE, e.g. prod@prompt")
    return vault_id, (source or None)


def read_secret(identity: str, *, new: bool = False) -> Secret:
    """The password of `ID@SOURCE`: asked (twice for a new one) or read from a file or script."""
    vault_id, source = parse_identity(identity)
    if source is None:
        raise MedopsError(
            f"--vault-id {identity!r} names no password source: use {vault_id}@prompt or {vault_id}@FILE"
        )
    if source == "prompt":
        label = "New vault password" if new else "Vault password"
        first = getpass.getpass(f"{label} ({vault_id}): ")
        if new and getpass.getpass(f"Confirm {label.lower()} ({vault_id}): ") != first:
            raise MedopsError("the two passwords differ; nothing was changed")
        password = first
    else:
        path = Path(source)
        if not path.is_file():
            raise MedopsError(f"vault password file {source} does not exist")
        if os.access(path, os.X_OK):
            # As Ansible: a script named *-client is told which vault id is wanted.
            client = path.stem.endswith("-client")
            argv = [str(path.resolve()), *(["--vault-id", vault_id] if client else [])]
            password = run(argv).stdout.strip()
        else:
            password = path.read_text(encoding="utf-8").strip()
    if not password:
        raise MedopsError(f"the {vault_id} vault password is empty")
    return Secret(vault_id, password.encode("utf-8"))


def _vault(secret: Secret) -> tuple[Any, Any]:
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault_secret = VaultSecret(secret.password)
    return VaultLib([(secret.vault_id, vault_secret)]), vault_secret


def encrypt(plaintext: str, secret: Secret) -> str:
    """`$ANSIBLE_VAULT;1.2;AES256;<id>` text of one value."""
    vault, vault_secret = _vault(secret)
    data: bytes = vault.encrypt(plaintext, vault_secret, vault_id=secret.vault_id)
    return data.decode("ascii")


def decrypt(ciphertext: str, secret: Secret, name: str) -> str:
    """One value's plain text; MedopsError naming the value when the password does not open it."""
    from ansible.errors import AnsibleError

    vault, _ = _vault(secret)
    try:
        data: bytes = vault.decrypt(ciphertext)
    except AnsibleError:
        raise MedopsError(f"{name}: the {secret.vault_id} vault password given does not open it") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise MedopsError(f"{name}: decrypted value is not UTF-8 text") from None
