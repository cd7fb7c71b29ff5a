"""Bad role inputs fail before anything changes, with a message naming the variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_inputs import run_input_check

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOOD: dict[str, Any] = {
    "base_admin_networks": ["10.20.250.0/24"],
    "base_admin_users": [{"name": "ops", "sudo": "nopasswd", "ssh_keys": ["ssh-ed25519 AAAAC3Nza ops@x"]}],
}


def _run(
    extra: dict[str, Any], tmp_path: Path, *, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    variables = {k: v for k, v in {**GOOD, **extra}.items() if k not in drop}
    return run_input_check("base-inputs.yml", variables, tmp_path)


def test_good_inputs_pass(tmp_path: Path) -> None:
    result = _run({}, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("extra", "drop", "message"),
    [
        (
            {"base_admin_networks": ["10.0.0.0/33"]},
            (),
            "base_admin_networks[0] = '10.0.0.0/33' is not a valid CIDR",
        ),
        ({}, ("base_admin_networks",), "base_admin_networks must name at least one network"),
        ({"base_ssh_port": "twenty-two"}, (), "base_ssh_port"),
        ({"base_admin_users": [{"name": "ops", "sudo": "maybe"}]}, (), "sudo"),
        (
            {"base_journald_retention_days": 30},
            (),
            "base_journald_retention_days is 30; the contract needs 180",
        ),
        (
            {"base_default_locale": "fr_FR.UTF-8"},
            (),
            "base_default_locale fr_FR.UTF-8 is not one of base_locales",
        ),
        ({"base_timezone": "Asia Shanghai"}, (), "base_timezone Asia Shanghai is not an IANA zone name"),
        ({"base_apt_retries": -1}, (), "base_apt_retries is -1; it must be 0 to 10"),
        ({"base_apt_retries": "often"}, (), "base_apt_retries"),
        (
            {"base_firewall_rules__web": [{"name": "web", "port": 99999, "sources": ["10.0.0.0/8"]}]},
            (),
            "base_firewall_rules__web[0].port 99999 must be a port number",
        ),
        (
            {"base_firewall_rules": [{"name": "web", "port": 80, "sources": ["group:nosuch"]}]},
            (),
            "no inventory group named 'nosuch'",
        ),
        (
            {"base_admin_users": [{"name": "ops", "sudo": "password"}]},
            (),
            "sudo 'password' needs a password_hash",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_variable(
    extra: dict[str, Any], drop: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    result = _run(extra, tmp_path, drop=drop)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


@pytest.mark.parametrize("role", sorted(p.name for p in (ROOT / "roles").iterdir() if p.is_dir()))
def test_every_role_input_is_specified_and_defaulted(role: str) -> None:
    """Each role has argument specs covering its defaults, in some entry point (an input of `deploy`
    only is specified there); main's optional inputs all have a default."""
    specs_file = ROOT / "roles" / role / "meta" / "argument_specs.yml"
    assert specs_file.is_file(), f"roles/{role} has no meta/argument_specs.yml"
    entry_points = yaml.safe_load(specs_file.read_text())["argument_specs"]
    specified = {name for entry in entry_points.values() for name in entry.get("options", {})}
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text()) or {}
    assert set(defaults) <= specified, f"{role}: defaults without spec: {sorted(set(defaults) - specified)}"
    for entry, spec_of in entry_points.items():
        for name, spec in spec_of.get("options", {}).items():
            assert name.startswith(f"{role}_"), f"{role} ({entry}): input {name} lacks the role prefix"
            assert spec.get("description"), f"{role} ({entry}): input {name} has no description"
    for name, spec in entry_points["main"]["options"].items():
        assert name in defaults or spec.get("required"), f"{role}: optional input {name} has no default"
