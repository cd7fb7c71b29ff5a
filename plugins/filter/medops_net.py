"""Jinja filters medops roles use to check and normalise network inputs before anything changes.

Each filter returns problems as data (a list of one-line messages naming the variable) so a role
can `assert` on them and stop with a clear message; nothing here raises on bad user input.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

_FILL_VAULT = "is a placeholder; fill the vault first (docs/secrets.md)"
_SSH_KEY = re.compile(
    r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|"
    r"sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$"
)


def cidr_problems(values: Any, variable: str) -> list[str]:
    """Name every entry of `values` that is not an IPv4/IPv6 network or address."""
    if not isinstance(values, list):
        return [f"{variable} must be a list of CIDRs, got {type(values).__name__}"]
    problems = []
    for index, value in enumerate(values):
        try:
            ipaddress.ip_network(str(value), strict=False)
        except ValueError:
            problems.append(f"{variable}[{index}] = {value!r} is not a valid CIDR")
    return problems


def split_families(values: Iterable[str]) -> dict[str, list[str]]:
    """Split networks into IPv4 and IPv6 lists (normalised, duplicates removed, order kept)."""
    out: dict[str, list[str]] = {"v4": [], "v6": []}
    for value in values:
        net = ipaddress.ip_network(str(value), strict=False)
        key = "v4" if net.version == 4 else "v6"
        text = str(net.network_address) if net.num_addresses == 1 else str(net)
        if text not in out[key]:
            out[key].append(text)
    return out


def firewall_rules(
    sets: list[Mapping[str, Any]], groups: Mapping[str, list[str]], hostvars: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge allow rules from several variables, expand group:<name> sources, check every field.

    `sets` holds {"variable": name, "rules": [...]} items. Returns {"rules": [...], "problems": [...]};
    each rule is {name, proto, port, v4, v6, origin}.
    """
    rules: list[dict[str, Any]] = []
    problems: list[str] = []
    for item in sets:
        variable = str(item.get("variable", "?"))
        entries = item.get("rules")
        if not isinstance(entries, list):
            problems.append(f"{variable} must be a list of rules")
            continue
        for index, rule in enumerate(entries):
            checked = _check_rule(f"{variable}[{index}]", rule, groups, hostvars)
            if isinstance(checked, list):
                problems.extend(checked)
            else:
                rules.append({**checked, "origin": variable})
    return {"rules": rules, "problems": problems}


def expand_sources(
    sources: Any, groups: Mapping[str, list[str]], hostvars: Mapping[str, Any], where: str
) -> dict[str, list[str]]:
    """Turn CIDRs and group:<name> entries into checked addresses: {"addresses": [...], "problems": [...]}."""
    if not isinstance(sources, list) or not sources:
        return {"addresses": [], "problems": [f"{where} must be a non-empty list"]}
    addresses: list[str] = []
    problems: list[str] = []
    for source in sources:
        text = str(source)
        if not text.startswith("group:"):
            addresses.append(text)
            continue
        group = text.removeprefix("group:")
        if group not in groups:
            problems.append(f"{where}: no inventory group named {group!r}")
            continue
        for host in groups[group]:
            address = hostvars[host].get("medops_address")
            if address:
                addresses.append(str(address))
            else:
                problems.append(f"{where}: host {host} of {group} has no medops_address")
    problems.extend(cidr_problems(addresses, where))
    return {"addresses": addresses, "problems": problems}


def _check_rule(
    where: str, rule: Any, groups: Mapping[str, list[str]], hostvars: Mapping[str, Any]
) -> dict[str, Any] | list[str]:
    """One allow rule normalised ({name, proto, port, v4, v6}), or the problems found in it."""
    if not isinstance(rule, Mapping):
        return [f"{where} must be a mapping with name, proto, port, sources"]
    problems: list[str] = []
    name = str(rule.get("name", "")).strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        problems.append(f"{where}.name {name!r} must be a short word (letters, digits, _ . -)")
    proto = rule.get("proto", "tcp")
    if proto not in ("tcp", "udp"):
        problems.append(f"{where}.proto {proto!r} must be tcp or udp")
    port = rule.get("port")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        problems.append(f"{where}.port {port!r} must be a port number 1-65535")
    expanded = expand_sources(rule.get("sources"), groups, hostvars, f"{where}.sources")
    addresses = expanded["addresses"]
    problems.extend(expanded["problems"])
    if problems:
        return problems
    return {"name": name, "proto": proto, "port": port, **split_families(addresses)}


def _is_placeholder(value: Any) -> bool:
    """Values shipped as placeholders in the production vault template (docs/secrets.md)."""
    text = str(value or "").upper()
    return "PLACEHOLDER" in text or "CHANGE-ME" in text or "CHANGEME" in text


def admin_user_problems(users: Any, variable: str = "base_admin_users") -> list[str]:
    """Check administrator entries beyond what argument specs can say."""
    if not isinstance(users, list):
        return [f"{variable} must be a list"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, user in enumerate(users):
        where = f"{variable}[{index}]"
        name = str(user.get("name", ""))
        if not re.fullmatch(r"[a-z_][a-z0-9_.-]{0,31}", name):
            problems.append(f"{where}.name {name!r} is not a valid login name")
        if name in seen:
            problems.append(f"{where}.name {name!r} appears twice")
        seen.add(name)
        if user.get("sudo", "password") == "password" and user.get("state", "present") == "present":
            if not user.get("password_hash"):
                problems.append(f"{where} ({name}): sudo 'password' needs a password_hash (from vault)")
            elif not str(user["password_hash"]).startswith(("$6$", "$y$", "$5$")):
                problems.append(f"{where} ({name}): password_hash must be a SHA-512 or yescrypt hash")
        if _is_placeholder(user.get("password_hash")):
            problems.append(
                f"{where} ({name}): password_hash is a placeholder; fill the vault first (docs/secrets.md)"
            )
        for key_index, key in enumerate(user.get("ssh_keys") or []):
            if _is_placeholder(key):
                problems.append(f"{where}.ssh_keys[{key_index}] ({name}) {_FILL_VAULT}")
            elif not _SSH_KEY.match(str(key).strip()):
                problems.append(f"{where}.ssh_keys[{key_index}] ({name}) is not an OpenSSH public key")
    return problems


class FilterModule:
    """Ansible entry point."""

    def filters(self) -> dict[str, Any]:
        return {
            "medops_cidr_problems": cidr_problems,
            "medops_split_families": split_families,
            "medops_firewall_rules": firewall_rules,
            "medops_expand_sources": expand_sources,
            "medops_admin_user_problems": admin_user_problems,
        }
