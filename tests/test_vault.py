"""medops vault: the pure text edits, then real round trips with Ansible's vault code and the placeholder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from medops.cli import main
from medops.errors import MedopsError
from medops.vault.crypt import Secret, decrypt, encrypt, parse_identity, read_secret
from medops.vault.document import (
    DocumentError,
    Leaf,
    NewKey,
    Part,
    first_problem,
    insert_edit,
    leaves,
    parse_document,
    parse_name,
    plain_values,
    replace_edit,
    resolve,
    show_name,
)
from medops.vault.edit import check_file, rekey_file, set_value, value_from_stdin

PLACEHOLDER = Secret("prod", b"medops-placeholder-rekey-me")
OTHER = Secret("prod", b"a-new-long-random-password")
FAKE = "$ANSIBLE_VAULT;1.2;AES256;prod\n3031323334\n3536373839"

PLAIN = """\
---
# PLACEHOLDERS: a comment that must survive
vault_base_ssh_keys:
  ops-ansible: "ssh-ed25519 AAAA ops-ansible@CHANGE-ME"   # the automation account
  zhang.wei: 'ssh-ed25519 BBBB zhang.wei@CHANGE-ME'

vault_tls:
  qcis-db1:
    cert: |
      -----BEGIN CERTIFICATE-----
      CHANGE-ME
      -----END CERTIFICATE-----

    key: plain-CHANGE-ME
vault_single: CHANGE-ME-single
"""


def _leaf(text: str, name: str) -> Leaf:
    found = resolve(parse_document(text), name)
    assert isinstance(found, Leaf)
    return found


def _splice(text: str, name: str, ciphertext: str = FAKE) -> str:
    edit = replace_edit(text, _leaf(text, name), ciphertext)
    return text[: edit.start] + edit.text + text[edit.end :]


# -- names


def test_parse_name_reads_dots_brackets_and_indexes() -> None:
    assert parse_name("vault_a.b.c") == [Part("vault_a"), Part("b"), Part("c")]
    assert parse_name("vault_a['zhang.wei']") == [Part("vault_a"), Part("zhang.wei", exact=True)]
    assert parse_name('vault_a["x\'y"][2]') == [Part("vault_a"), Part("x'y", exact=True), Part(2, exact=True)]


@pytest.mark.parametrize("name", ["", "['a']", "a..b", "a[b]", "a.'b'"])
def test_parse_name_refuses_what_it_cannot_read(name: str) -> None:
    with pytest.raises(DocumentError):
        parse_name(name)


def test_show_name_brackets_keys_with_dots() -> None:
    assert show_name(("vault_base_ssh_keys", "zhang.wei")) == "vault_base_ssh_keys['zhang.wei']"
    assert show_name(("vault_tls", "qcis-db1", "cert")) == "vault_tls.qcis-db1.cert"
    assert show_name(("vault_list", 0)) == "vault_list[0]"


def test_a_dotted_name_finds_a_key_holding_dots() -> None:
    leaf = _leaf(PLAIN, "vault_base_ssh_keys.zhang.wei")
    assert leaf.path == ("vault_base_ssh_keys", "zhang.wei")
    assert leaf.node.value == "ssh-ed25519 BBBB zhang.wei@CHANGE-ME"
    assert _leaf(PLAIN, "vault_base_ssh_keys['zhang.wei']").path == leaf.path


def test_an_ambiguous_dotted_name_asks_for_brackets() -> None:
    text = "vault_a:\n  x: '1'\n  x.y: '2'\n  x.y.z: '3'\n"
    with pytest.raises(DocumentError, match="ambiguous"):
        resolve(parse_document(text), "vault_a.x.y")
    assert _leaf(text, "vault_a['x.y']").node.value == "2"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("vault_nope", r"the file has no 'vault_nope' \(medops vault set --add"),
        ("vault_base_ssh_keys.li.na", "vault_base_ssh_keys has no 'li'"),
        ("vault_tls", "holds several values, not one: name one of them, e.g. vault_tls.qcis-db1"),
        ("vault_single.x", "vault_single is a single value"),
    ],
)
def test_unknown_or_partial_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        resolve(parse_document(PLAIN), name)


def test_add_names_a_new_key_of_an_existing_map() -> None:
    new = resolve(parse_document(PLAIN), "vault_base_ssh_keys.li.na", add=True)
    assert isinstance(new, NewKey)
    assert new.key == "li.na"
    assert new.path == ("vault_base_ssh_keys", "li.na")


def test_whole_file_vaults_and_non_mappings_are_refused() -> None:
    with pytest.raises(DocumentError, match="encrypted as a whole"):
        parse_document("$ANSIBLE_VAULT;1.2;AES256;prod\n3031\n")
    with pytest.raises(DocumentError, match="mapping"):
        parse_document("- a\n- b\n")
    with pytest.raises(DocumentError, match="not valid YAML"):
        parse_document("a: [\n")


# -- splicing keeps every other byte


def test_replacing_a_quoted_value_keeps_everything_else_and_its_comment() -> None:
    after = _splice(PLAIN, "vault_base_ssh_keys.ops-ansible")
    before_line = '  ops-ansible: "ssh-ed25519 AAAA ops-ansible@CHANGE-ME"   # the automation account\n'
    block = (
        "  ops-ansible: !vault |   # the automation account\n"
        "    $ANSIBLE_VAULT;1.2;AES256;prod\n    3031323334\n    3536373839\n"
    )
    assert after == PLAIN.replace(before_line, block)
    values = plain_values(leaves(parse_document(after)))
    assert values.pop(("vault_base_ssh_keys", "ops-ansible")) == ("!vault", FAKE + "\n")
    old = plain_values(leaves(parse_document(PLAIN)))
    old.pop(("vault_base_ssh_keys", "ops-ansible"))
    assert values == old


def test_replacing_a_block_value_keeps_the_blank_line_after_it() -> None:
    after = _splice(PLAIN, "vault_tls.qcis-db1.cert")
    assert (
        "    cert: !vault |\n      $ANSIBLE_VAULT;1.2;AES256;prod\n      3031323334\n      3536373839\n\n"
        in after
    )
    assert after.endswith("    key: plain-CHANGE-ME\nvault_single: CHANGE-ME-single\n")


def test_replacing_every_value_gives_a_file_yaml_reads_back() -> None:
    text = PLAIN
    for name in ["vault_single", "vault_tls.qcis-db1.key", "vault_base_ssh_keys['zhang.wei']"]:
        text = _splice(text, name)
    data = yaml.load(text, Loader=_VaultAsText)  # noqa: S506 - SafeLoader subclass
    assert data["vault_single"] == data["vault_tls"]["qcis-db1"]["key"] == FAKE + "\n"
    assert text.startswith("---\n# PLACEHOLDERS: a comment that must survive\n")


class _VaultAsText(yaml.SafeLoader):
    """!vault values as their ciphertext."""


_VaultAsText.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


def test_a_value_in_a_flow_map_is_refused() -> None:
    text = "vault_a: {x: '1', y: '2'}\n"
    with pytest.raises(DocumentError, match="flow-style"):
        replace_edit(text, _leaf(text, "vault_a.x"), FAKE)


def test_a_new_key_goes_after_the_last_entry_of_its_map() -> None:
    root = parse_document(PLAIN)
    new = resolve(root, "vault_tls.chfms-db1", add=True)
    assert isinstance(new, NewKey)
    edit = insert_edit(PLAIN, new, FAKE)
    after = PLAIN[: edit.start] + edit.text + PLAIN[edit.end :]
    assert "    key: plain-CHANGE-ME\n  chfms-db1: !vault |\n    $ANSIBLE_VAULT;1.2;AES256;prod\n" in after
    data = yaml.load(after, Loader=_VaultAsText)  # noqa: S506 - SafeLoader subclass
    assert data["vault_tls"]["chfms-db1"] == FAKE + "\n"
    assert data["vault_single"] == "CHANGE-ME-single"


def test_a_new_key_needing_quotes_is_quoted() -> None:
    new = resolve(parse_document(PLAIN), "vault_base_ssh_keys['yes']", add=True)
    assert isinstance(new, NewKey)
    edit = insert_edit(PLAIN, new, FAKE)
    assert '\n  "yes": !vault |' in edit.text


def test_a_dotted_new_name_beside_maps_makes_maps() -> None:
    """vault_tls holds a map per host: vault_tls.spare1.cert is a new map spare1 holding cert."""
    new = resolve(parse_document(PLAIN), "vault_tls.spare1.cert", add=True)
    assert isinstance(new, NewKey)
    assert new.path == ("vault_tls", "spare1", "cert") and new.key == "spare1" and new.inner == ("cert",)
    edit = insert_edit(PLAIN, new, FAKE)
    after = PLAIN[: edit.start] + edit.text + PLAIN[edit.end :]
    assert "    key: plain-CHANGE-ME\n  spare1:\n    cert: !vault |\n      $ANSIBLE_VAULT;1.2;" in after
    data = yaml.load(after, Loader=_VaultAsText)  # noqa: S506 - SafeLoader subclass
    assert data["vault_tls"]["spare1"] == {"cert": FAKE + "\n"}
    assert data["vault_tls"]["qcis-db1"]["key"] == "plain-CHANGE-ME"


def test_a_dotted_new_name_where_nothing_tells_is_refused() -> None:
    refused = r"'vault_new.x.y' in the file is ambiguous: .* \['vault_new.x.y'\]$"
    with pytest.raises(DocumentError, match=refused):
        resolve(parse_document(PLAIN), "vault_new.x.y", add=True)
    explicit = resolve(parse_document(PLAIN), "vault_tls['spare1.cert']", add=True)
    assert isinstance(explicit, NewKey) and explicit.key == "spare1.cert" and explicit.inner == ()


def test_set_add_of_a_new_map_writes_a_file_that_opens(tmp_path: Path) -> None:
    path = tmp_path / "vault.yml"
    path.write_text(PLAIN)
    result = set_value(path, "vault_tls.spare1.key", "spare1 key text", PLACEHOLDER, add=True)
    assert result.added and result.name == "vault_tls.spare1.key"
    value = resolve(parse_document(path.read_text()), "vault_tls.spare1.key")
    assert isinstance(value, Leaf) and value.encrypted
    assert decrypt(value.node.value, PLACEHOLDER, "vault_tls.spare1.key") == "spare1 key text"


def test_first_problem_names_the_first_plain_value_or_wrong_id() -> None:
    assert first_problem(leaves(parse_document(PLAIN)), "prod") == (
        "vault_base_ssh_keys.ops-ansible is a plain value, not a !vault encrypted string"
    )
    lab = "vault_a: !vault |\n  $ANSIBLE_VAULT;1.2;AES256;lab\n  3031\n"
    assert first_problem(leaves(parse_document(lab)), "prod") == (
        "vault_a is encrypted with vault id 'lab', expected 'prod'"
    )
    old = "vault_a: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3031\n"
    assert first_problem(leaves(parse_document(old)), "prod") == (
        "vault_a is encrypted with no vault id, expected 'prod'"
    )
    assert first_problem([], "prod") == "the file holds no values"


def test_value_from_stdin_drops_the_line_break_of_one_line_only() -> None:
    assert value_from_stdin("ssh-ed25519 AAAA x@y\n") == "ssh-ed25519 AAAA x@y"
    pem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n"
    assert value_from_stdin(pem) == pem
    assert value_from_stdin("no break") == "no break"


# -- real round trips: Ansible's vault code, the placeholder password


def _encrypted_file(tmp_path: Path) -> Path:
    text = PLAIN
    for leaf in reversed(leaves(parse_document(PLAIN))):
        edit = replace_edit(text, leaf, encrypt(leaf.node.value, PLACEHOLDER))
        text = text[: edit.start] + edit.text + text[edit.end :]
    path = tmp_path / "vault.yml"
    path.write_text(text)
    path.chmod(0o640)
    return path


def _ansible_reads(path: Path, secret: Secret) -> dict[str, object]:
    """The file as Ansible's loader parses group_vars, each !vault value decrypted by Ansible's vault code."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.parsing.vault import EncryptedString

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        assert isinstance(value, EncryptedString), f"not encrypted: {value!r}"
        return decrypt(value._ciphertext, secret, "a value")

    result = plain(DataLoader().load_from_file(str(path)))
    assert isinstance(result, dict)
    return result


def test_set_encrypts_one_value_and_ansible_reads_it(tmp_path: Path) -> None:
    path = _encrypted_file(tmp_path)
    before = path.read_text()
    result = set_value(path, "vault_base_ssh_keys.zhang.wei", "ssh-ed25519 REAL zhang.wei@pc", PLACEHOLDER)
    assert result.name == "vault_base_ssh_keys['zhang.wei']" and not result.added
    data = _ansible_reads(path, PLACEHOLDER)
    assert data["vault_base_ssh_keys"] == {
        "ops-ansible": "ssh-ed25519 AAAA ops-ansible@CHANGE-ME",
        "zhang.wei": "ssh-ed25519 REAL zhang.wei@pc",
    }
    assert data["vault_tls"] == {
        "qcis-db1": {
            "cert": "-----BEGIN CERTIFICATE-----\nCHANGE-ME\n-----END CERTIFICATE-----\n",
            "key": "plain-CHANGE-ME",
        }
    }
    after = path.read_text()
    head = before.index("  zhang.wei: !vault |")
    assert after[:head] == before[:head]
    tail = before.index("\nvault_tls:")
    assert after.endswith(before[tail:])
    assert path.stat().st_mode & 0o777 == 0o640
    assert check_file(path, "prod", PLACEHOLDER).problem is None


def test_set_add_creates_a_value(tmp_path: Path) -> None:
    path = _encrypted_file(tmp_path)
    assert set_value(
        path, "vault_base_ssh_keys.li.na", "ssh-ed25519 CCCC li.na@pc", PLACEHOLDER, add=True
    ).added
    assert _ansible_reads(path, PLACEHOLDER)["vault_base_ssh_keys"] == {
        "ops-ansible": "ssh-ed25519 AAAA ops-ansible@CHANGE-ME",
        "zhang.wei": "ssh-ed25519 BBBB zhang.wei@CHANGE-ME",
        "li.na": "ssh-ed25519 CCCC li.na@pc",
    }


def test_set_with_an_unknown_name_changes_nothing(tmp_path: Path) -> None:
    path = _encrypted_file(tmp_path)
    before = path.read_text()
    with pytest.raises(MedopsError, match="has no 'li'"):
        set_value(path, "vault_base_ssh_keys.li.na", "x", PLACEHOLDER)
    with pytest.raises(MedopsError, match="empty"):
        set_value(path, "vault_single", "", PLACEHOLDER)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault.yml"]


def test_rekey_reencrypts_every_value(tmp_path: Path) -> None:
    path = _encrypted_file(tmp_path)
    plain = _ansible_reads(path, PLACEHOLDER)
    assert rekey_file(path, PLACEHOLDER, OTHER) == 5
    assert _ansible_reads(path, OTHER) == plain
    assert check_file(path, "prod", OTHER).problem is None
    assert "does not open" in str(check_file(path, "prod", PLACEHOLDER).problem)
    assert path.read_text().startswith("---\n# PLACEHOLDERS: a comment that must survive\n")


def test_rekey_to_another_vault_id(tmp_path: Path) -> None:
    path = _encrypted_file(tmp_path)
    rekey_file(path, PLACEHOLDER, Secret("prod2", b"x" * 20))
    assert check_file(path, "prod2").problem is None
    assert (
        check_file(path, "prod").problem
        == "vault_base_ssh_keys.ops-ansible is encrypted with vault id 'prod2', expected 'prod'"
    )


def test_rekey_with_the_wrong_password_changes_nothing(tmp_path: Path) -> None:
    path = _encrypted_file(tmp_path)
    before = path.read_text()
    with pytest.raises(MedopsError, match="ops-ansible: the prod vault password given does not open it"):
        rekey_file(path, OTHER, PLACEHOLDER)
    assert path.read_text() == before


def test_rekey_stops_at_a_plain_value_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "vault.yml"
    path.write_text(PLAIN)
    with pytest.raises(MedopsError, match=r"vault_base_ssh_keys\.ops-ansible is a plain value"):
        rekey_file(path, PLACEHOLDER, OTHER)
    assert path.read_text() == PLAIN


def test_check_lists_values_still_holding_placeholders(tmp_path: Path) -> None:
    result = check_file(_encrypted_file(tmp_path), "prod", PLACEHOLDER)
    assert result.problem is None and result.count == 5 and result.decrypted
    assert result.placeholders == [
        "vault_base_ssh_keys.ops-ansible",
        "vault_base_ssh_keys['zhang.wei']",
        "vault_tls.qcis-db1.cert",
        "vault_tls.qcis-db1.key",
        "vault_single",
    ]


def test_decrypt_names_the_value_the_password_does_not_open() -> None:
    ciphertext = encrypt("x", PLACEHOLDER)
    assert decrypt(ciphertext, PLACEHOLDER, "vault_a") == "x"
    with pytest.raises(MedopsError, match="vault_a: the prod vault password given does not open it"):
        decrypt(ciphertext, OTHER, "vault_a")


def test_read_secret_from_a_file_and_identity_errors(tmp_path: Path) -> None:
    password = tmp_path / "pass"
    password.write_text("medops-placeholder-rekey-me\n")
    assert read_secret(f"prod@{password}") == PLACEHOLDER
    assert parse_identity("prod") == ("prod", None)
    with pytest.raises(MedopsError, match="names no password source"):
        read_secret("prod")
    with pytest.raises(MedopsError, match="does not exist"):
        read_secret(f"prod@{tmp_path / 'missing'}")


# -- the CLI


def _password_file(tmp_path: Path, secret: Secret) -> str:
    path = tmp_path / f"pass-{secret.password[:4].decode()}"
    path.write_bytes(secret.password)
    return f"{secret.vault_id}@{path}"


def test_cli_set_reads_stdin_then_check_and_rekey(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _encrypted_file(tmp_path)
    old, new = _password_file(tmp_path, PLACEHOLDER), _password_file(tmp_path, OTHER)
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-restic\n"))
    assert main(["vault", "set", str(path), "vault_single", "--vault-id", old]) == 0
    assert "set vault_single in" in capsys.readouterr().out
    assert _ansible_reads(path, PLACEHOLDER)["vault_single"] == "s3cret-restic"
    assert main(["vault", "check", str(path), "--vault-id", old, "--no-placeholders"]) == 1
    out = capsys.readouterr().out
    assert "5 values, each a !vault string of vault id prod, and the password opens each" in out
    assert "4 still hold a placeholder" in out
    assert main(["vault", "rekey", str(path), "--vault-id", old, "--new-vault-id", new]) == 0
    assert "rekeyed 5 values" in capsys.readouterr().out
    assert main(["vault", "check", str(path), "--vault-id", new]) == 0


def test_cli_check_names_the_first_plain_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "vault.yml"
    path.write_text(PLAIN)
    assert main(["vault", "check", str(path)]) == 1
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("vault_base_ssh_keys.ops-ansible is a plain value, not a !vault encrypted string")
    )


def test_cli_bad_input_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _encrypted_file(tmp_path)
    before = path.read_text()
    old, wrong = _password_file(tmp_path, PLACEHOLDER), _password_file(tmp_path, OTHER)
    monkeypatch.setattr("sys.stdin", io.StringIO("value\n"))
    assert main(["vault", "set", str(path), "vault_nope", "--vault-id", old]) == 2
    assert main(["vault", "rekey", str(path), "--vault-id", wrong, "--new-vault-id", old]) == 2
    whole = tmp_path / "whole.yml"
    whole.write_text("$ANSIBLE_VAULT;1.2;AES256;prod\n3031\n")
    assert main(["vault", "check", str(whole)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("medops: error: ") for line in lines)
    assert "the file has no 'vault_nope'" in lines[0]
    assert "does not open it" in lines[1]
    assert "encrypted as a whole" in lines[2]
    assert path.read_text() == before
