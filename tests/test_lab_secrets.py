from __future__ import annotations

from medops.lab.secrets import merge, missing_values


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
