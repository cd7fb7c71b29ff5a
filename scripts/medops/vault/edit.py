"""`medops vault set`, `check` and `rekey`: a vault file of per-value encrypted strings, changed atomically.

Each change is checked before it lands: the new text is parsed again, every other value must be
exactly as before, and every value written must decrypt to what was meant. Only then is the file
replaced (a temporary file beside it, renamed over it), so a failure leaves the file unchanged.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medops.errors import MedopsError
from medops.vault.crypt import Secret, decrypt, encrypt
from medops.vault.document import (
    Edit,
    Leaf,
    NewKey,
    apply_edits,
    first_problem,
    insert_edit,
    leaves,
    parse_document,
    plain_values,
    replace_edit,
    resolve,
    show_name,
)

PLACEHOLDER = re.compile(r"CHANGE-?ME|PLACEHOLDER")


@dataclass(frozen=True)
class SetResult:
    name: str
    added: bool


@dataclass(frozen=True)
class CheckResult:
    count: int
    problem: str | None
    decrypted: bool = False
    placeholders: list[str] = field(default_factory=list)  # names of values still holding a placeholder


def read_text(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise MedopsError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MedopsError(f"cannot read {path}: {exc}") from None


def write_atomic(path: Path, original: str, text: str) -> None:
    """Replace `path` with `text`, keeping its mode, unless it changed since it was read as `original`."""
    mode = path.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).chmod(mode)
        if read_text(path) != original:
            raise MedopsError(f"{path} changed while medops was working on it; nothing was written")
        Path(temporary).replace(path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _encrypted_leaves(text: str) -> list[Leaf]:
    found = leaves(parse_document(text))
    for leaf in found:
        if not leaf.encrypted:
            raise MedopsError(f"{leaf.name} is a plain value; set it with `medops vault set` first")
    return found


def set_value(path: Path, name: str, plaintext: str, secret: Secret, *, add: bool = False) -> SetResult:
    """Encrypt `plaintext` and put it at `name` (an existing value, or with `add` a new key)."""
    if not plaintext:
        raise MedopsError("the value is empty; nothing was changed")
    original = read_text(path)
    root = parse_document(original)
    target = resolve(root, name, add=add)
    ciphertext = encrypt(plaintext, secret)
    edit: Edit = (
        insert_edit(original, target, ciphertext)
        if isinstance(target, NewKey)
        else replace_edit(original, target, ciphertext)
    )
    text = original[: edit.start] + edit.text + original[edit.end :]
    _verify_set(original, text, target.path, ciphertext, plaintext=plaintext, secret=secret)
    write_atomic(path, original, text)
    return SetResult(show_name(target.path), isinstance(target, NewKey))


def _verify_set(
    before: str, after: str, path: tuple[str | int, ...], ciphertext: str, *, plaintext: str, secret: Secret
) -> None:
    old = plain_values(leaves(parse_document(before)))
    new = plain_values(leaves(parse_document(after)))
    old.pop(path, None)
    written = new.pop(path, None)
    if old != new or written is None or written[1].strip() != ciphertext.strip():
        raise MedopsError(
            f"internal: the edit of {show_name(path)} would change other values; nothing written"
        )
    if decrypt(written[1], secret, show_name(path)) != plaintext:
        raise MedopsError(f"internal: {show_name(path)} does not decrypt to the value given; nothing written")


def check_text(text: str, vault_id: str, secret: Secret | None = None) -> CheckResult:
    """Every value a `!vault` string of `vault_id`; with a secret, each must also decrypt."""
    found = leaves(parse_document(text))
    problem = first_problem(found, vault_id)
    if problem or secret is None:
        return CheckResult(len(found), problem)
    placeholders: list[str] = []
    for leaf in found:
        try:
            plain = decrypt(leaf.node.value, secret, leaf.name)
        except MedopsError as exc:
            return CheckResult(len(found), str(exc))
        if PLACEHOLDER.search(plain):
            placeholders.append(leaf.name)
    return CheckResult(len(found), None, decrypted=True, placeholders=placeholders)


def check_file(path: Path, vault_id: str, secret: Secret | None = None) -> CheckResult:
    return check_text(read_text(path), vault_id, secret)


def rekey_text(text: str, old: Secret, new: Secret) -> tuple[str, int]:
    """Every value decrypted with `old` and encrypted with `new`; the new text and how many values."""
    found = _encrypted_leaves(text)
    if not found:
        raise MedopsError("the file holds no values; nothing to rekey")
    plains = [decrypt(leaf.node.value, old, leaf.name) for leaf in found]
    edits = [replace_edit(text, leaf, encrypt(plain, new)) for leaf, plain in zip(found, plains, strict=True)]
    result = apply_edits(text, edits)
    _verify_rekey(found, plains, result, new)
    return result, len(found)


def _verify_rekey(before: Sequence[Leaf], plains: Sequence[str], after: str, new: Secret) -> None:
    rekeyed = _encrypted_leaves(after)
    if [leaf.path for leaf in rekeyed] != [leaf.path for leaf in before]:
        raise MedopsError("internal: rekeying would change the file's names; nothing written")
    for leaf, plain in zip(rekeyed, plains, strict=True):
        if leaf.vault_id != new.vault_id or decrypt(leaf.node.value, new, leaf.name) != plain:
            raise MedopsError(f"internal: {leaf.name} does not decrypt after rekeying; nothing written")


def rekey_file(path: Path, old: Secret, new: Secret) -> int:
    """Rekey every value of the file, or change nothing."""
    original = read_text(path)
    text, count = rekey_text(original, old, new)
    write_atomic(path, original, text)
    return count


def value_from_stdin(text: str) -> str:
    """A value piped in: one line loses its line break (`echo`, a .pub file); several lines stay as given."""
    if text.endswith("\n") and "\n" not in text[:-1]:
        return text[:-1].removesuffix("\r")
    return text
