"""The network filters the roles use to refuse bad input before anything changes."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

GROUPS = {"qcis_web": ["web1", "web2"], "empty": []}
HOSTVARS: dict[str, dict[str, Any]] = {
    "web1": {"medops_address": "10.0.0.1"},
    "web2": {"medops_address": "10.0.0.2"},
}


def test_cidr_problems_names_the_variable_and_index(medops_net: ModuleType) -> None:
    problems = medops_net.cidr_problems(["10.0.0.0/8", "10.0.0.0/33", "fd00::/8", "x"], "base_admin_networks")
    assert problems == [
        "base_admin_networks[1] = '10.0.0.0/33' is not a valid CIDR",
        "base_admin_networks[3] = 'x' is not a valid CIDR",
    ]


def test_cidr_problems_needs_a_list(medops_net: ModuleType) -> None:
    assert medops_net.cidr_problems("10.0.0.0/8", "v") == ["v must be a list of CIDRs, got str"]


def test_split_families(medops_net: ModuleType) -> None:
    out = medops_net.split_families(["10.0.0.5", "10.0.0.0/24", "fd00::/64", "10.0.0.5/32"])
    assert out == {"v4": ["10.0.0.5", "10.0.0.0/24"], "v6": ["fd00::/64"]}


def test_firewall_rules_merge_and_expand_groups(medops_net: ModuleType) -> None:
    sets = [
        {"variable": "base_firewall_rules", "rules": []},
        {
            "variable": "base_firewall_rules__web",
            "rules": [
                {
                    "name": "https",
                    "proto": "tcp",
                    "port": 443,
                    "sources": ["group:qcis_web", "192.168.0.0/16"],
                },
            ],
        },
    ]
    out = medops_net.firewall_rules(sets, GROUPS, HOSTVARS)
    assert out["problems"] == []
    assert out["rules"] == [
        {
            "name": "https",
            "proto": "tcp",
            "port": 443,
            "origin": "base_firewall_rules__web",
            "v4": ["10.0.0.1", "10.0.0.2", "192.168.0.0/16"],
            "v6": [],
        }
    ]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"name": "x", "port": 70000, "sources": ["10.0.0.0/8"]}, "port 70000 must be a port number"),
        (
            {"name": "x", "port": 80, "proto": "icmp", "sources": ["10.0.0.0/8"]},
            "proto 'icmp' must be tcp or udp",
        ),
        ({"name": "x", "port": 80, "sources": []}, "sources must be a non-empty list"),
        ({"name": "x", "port": 80, "sources": ["group:nope"]}, "no inventory group named 'nope'"),
        ({"name": "x", "port": 80, "sources": ["10.1.0.0/40"]}, "'10.1.0.0/40' is not a valid CIDR"),
        ({"name": "bad name", "port": 80, "sources": ["10.0.0.0/8"]}, "must be a short word"),
        ({"name": "x", "port": True, "sources": ["10.0.0.0/8"]}, "must be a port number"),
    ],
)
def test_firewall_rule_problems(medops_net: ModuleType, rule: dict[str, Any], problem: str) -> None:
    out = medops_net.firewall_rules(
        [{"variable": "base_firewall_rules__g", "rules": [rule]}], GROUPS, HOSTVARS
    )
    assert out["rules"] == []
    assert len(out["problems"]) == 1
    assert out["problems"][0].startswith("base_firewall_rules__g[0]")
    assert problem in out["problems"][0]


def test_admin_user_problems(medops_net: ModuleType) -> None:
    users = [
        {"name": "ok.user", "sudo": "nopasswd", "ssh_keys": ["ssh-ed25519 AAAAC3Nza me@host"]},
        {"name": "Bad User"},
        {"name": "pw", "sudo": "password"},
        {"name": "md5", "sudo": "password", "password_hash": "$1$abc"},
        {"name": "keys", "sudo": "none", "ssh_keys": ["not a key"]},
        {"name": "ok.user", "sudo": "none"},
    ]
    problems = medops_net.admin_user_problems(users)
    assert "base_admin_users[1].name 'Bad User' is not a valid login name" in problems
    assert "base_admin_users[2] (pw): sudo 'password' needs a password_hash (from vault)" in problems
    assert "base_admin_users[3] (md5): password_hash must be a SHA-512 or yescrypt hash" in problems
    assert "base_admin_users[4].ssh_keys[0] (keys) is not an OpenSSH public key" in problems
    assert "base_admin_users[5].name 'ok.user' appears twice" in problems
    assert not any(p.startswith("base_admin_users[0]") for p in problems)


def test_placeholder_credentials_are_refused(medops_net: ModuleType) -> None:
    users = [
        {
            "name": "zhang.wei",
            "sudo": "password",
            "password_hash": "$6$CHANGEME$xyz",
            "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLACEHOLDER zhang.wei@CHANGE-ME"],
        },
    ]
    problems = medops_net.admin_user_problems(users)
    assert (
        "base_admin_users[0] (zhang.wei): password_hash is a placeholder; fill the vault first "
        "(docs/secrets.md)" in problems
    )
    assert any("ssh_keys[0] (zhang.wei) is a placeholder" in p for p in problems)


@pytest.mark.parametrize(
    ("output", "label"),
    [
        (
            "P00   INFO: backup command begin 2.54.2: --stanza=qcis --type=diff\n"
            "P00   INFO: new backup label = 20261123-224743F_20261123-230102D\n"
            "P00   INFO: diff backup size = 1.2MB, file total = 1290\n",
            "20261123-224743F_20261123-230102D",
        ),
        ("2026-11-23 22:47:43.123 P00   INFO: new backup label = 20261123-224743F\n", "20261123-224743F"),
        (
            "P00   INFO: new backup label = 20261123-224743F_20261123-230102I",
            "20261123-224743F_20261123-230102I",
        ),
        # The wrapper's own lines, an error, a word where the label goes: no label.
        ("pgbackrest-backup-medops: another backup of stanza qcis is running; waiting for it\n", ""),
        ("P00  ERROR: [056]: unable to find primary cluster - cannot proceed\n", ""),
        ("P00   INFO: new backup label = latest\n", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_backup_label_comes_from_the_backup_s_own_output(
    medops_pgbackrest: ModuleType, output: str | None, label: str
) -> None:
    assert medops_pgbackrest.backup_label(output) == label
