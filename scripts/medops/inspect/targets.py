"""The hosts to inspect, read from inventory by Ansible itself (`ansible-inventory --list`), and --limit.

Each host becomes a Target: its inventory name, groups, service address, and how to reach it, following
the connection Ansible would use:

- `community.docker.docker` (or `docker`): `docker exec -i <ansible_host or name> sh -s` (the lab);
- `ssh` (the default): `ssh [-p port] [-i key] <ansible_user>@<ansible_host> sudo -n sh -s` (production,
  as the automation account with passwordless sudo; no sudo when the user is root);
- `local`: `sh -s` on this machine.

`select_hosts` implements Ansible's host patterns for --limit: names, groups, `all`/`*`, globs, `~regex`,
`a:b` or `a,b` (union), `&b` (intersection) and `!b` (exclusion), in Ansible's order: unions first,
then intersections, then exclusions.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medops.errors import MedopsError
from medops.proc import run

DOCKER_CONNECTIONS = ("community.docker.docker", "docker")
SSH_CONNECTIONS = ("ansible.builtin.ssh", "ssh", "ansible.builtin.paramiko_ssh", "paramiko", "smart")
LOCAL_CONNECTIONS = ("ansible.builtin.local", "local")


@dataclass(frozen=True)
class Target:
    name: str
    groups: tuple[str, ...]  # every group the host is in, sorted (not "all")
    address: str  # medops_address, else ansible_host, else the name
    connection: str  # docker | ssh | local | the unsupported connection's name
    argv: tuple[str, ...]  # the command that runs a script from stdin as root on the host
    hostvars: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    problem: str = ""  # why the host cannot be reached the way the inventory says (checked before running)


@dataclass(frozen=True)
class Inventory:
    hosts: Mapping[str, Mapping[str, Any]]  # name → host variables (not rendered: templates stay as text)
    groups: Mapping[str, frozenset[str]]  # group → every host in it, children included
    environment: str  # medops_environment when the hosts agree on one, else ""


def _is_template(value: object) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def parse_inventory(text: str) -> Inventory:
    """`ansible-inventory --list` JSON → hosts with their variables and the members of every group."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MedopsError(f"ansible-inventory printed no JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise MedopsError("ansible-inventory printed no inventory")
    hostvars: dict[str, Mapping[str, Any]] = dict((data.get("_meta") or {}).get("hostvars") or {})
    direct: dict[str, set[str]] = {}
    children: dict[str, list[str]] = {}
    for name, group in data.items():
        if name == "_meta" or not isinstance(group, dict):
            continue
        direct[name] = set(group.get("hosts") or [])
        children[name] = list(group.get("children") or [])
        for host in direct[name]:
            hostvars.setdefault(host, {})

    members: dict[str, frozenset[str]] = {}

    def collect(group: str, seen: frozenset[str]) -> frozenset[str]:
        if group in members:
            return members[group]
        found = set(direct.get(group, set()))
        for child in children.get(group, []):
            if child not in seen:
                found |= collect(child, seen | {child})
        members[group] = frozenset(found)
        return members[group]

    for group in direct:
        collect(group, frozenset({group}))
    members["all"] = frozenset(hostvars)
    environments = {
        str(v.get("medops_environment")) for v in hostvars.values() if v.get("medops_environment")
    }
    environment = environments.pop() if len(environments) == 1 else ""
    return Inventory(hostvars, members, environment)


def load_inventory(
    sources: Sequence[Path], vault_ids: Sequence[str] = (), cwd: Path | None = None
) -> Inventory:
    """`ansible-inventory --list` over the inventory sources, run from the repository root (ansible.cfg)."""
    for source in sources:
        if not source.exists():
            raise MedopsError(f"inventory {source} does not exist")
    argv = ["ansible-inventory", "--list"]
    for source in sources:
        argv += ["-i", str(source)]
    for vault_id in vault_ids:
        argv += ["--vault-id", vault_id]
    return parse_inventory(run(argv, timeout=120, cwd=cwd).stdout)


# --- host patterns (--limit) ----------------------------------------------------------------------------


def _split_patterns(limit: str) -> list[str]:
    """Ansible splits on commas, and on colons except inside a regex (~) or an IPv6 address."""
    parts = [p.strip() for p in limit.split(",")] if "," in limit else None
    if parts is None:
        parts = []
        for item in re.split(r":(?![^\[]*\])", limit):
            parts.append(item.strip())
    return [p for p in parts if p]


def _match_one(pattern: str, inventory: Inventory, order: Sequence[str]) -> list[str]:
    if pattern in ("all", "*"):
        return list(order)
    if pattern in inventory.groups:
        return [h for h in order if h in inventory.groups[pattern]]
    if pattern in inventory.hosts:
        return [pattern]
    if pattern.startswith("~"):
        try:
            regex = re.compile(pattern[1:])
        except re.error as exc:
            raise MedopsError(f"--limit: {pattern!r} is not a regular expression ({exc})") from None
        groups = [g for g in inventory.groups if regex.match(g)]
        return [h for h in order if regex.match(h) or any(h in inventory.groups[g] for g in groups)]
    groups = [g for g in inventory.groups if fnmatch.fnmatchcase(g, pattern)]
    return [
        h for h in order if fnmatch.fnmatchcase(h, pattern) or any(h in inventory.groups[g] for g in groups)
    ]


def select_hosts(inventory: Inventory, limit: str | None) -> list[str]:
    """The hosts a --limit pattern selects, in name order; MedopsError when it selects none."""
    order = sorted(inventory.hosts)
    if not limit:
        return order
    if limit.startswith("@"):
        raise MedopsError("--limit @<file> (a retry file) is not supported; name the hosts or groups")
    union: list[str] = []
    intersections: list[list[str]] = []
    exclusions: list[list[str]] = []
    for pattern in _split_patterns(limit):
        if re.search(r"\[-?\d*:?-?\d*\]$", pattern):
            raise MedopsError(
                f"--limit {pattern!r}: host subscripts ([0], [1:3]) are not supported; name the hosts"
            )
        if pattern.startswith("&"):
            intersections.append(_match_one(pattern[1:], inventory, order))
        elif pattern.startswith("!"):
            exclusions.append(_match_one(pattern[1:], inventory, order))
        else:
            union += [h for h in _match_one(pattern, inventory, order) if h not in union]
    if not union and (intersections or exclusions):
        union = list(order)  # `!spare` alone means "all but spare", as Ansible reads it
    chosen = set(union)
    for hosts in intersections:
        chosen &= set(hosts)
    for hosts in exclusions:
        chosen -= set(hosts)
    if not chosen:
        raise MedopsError(f"--limit {limit!r} matches no host of the inventory")
    return sorted(chosen)


# --- how to reach a host --------------------------------------------------------------------------------


def _text(hostvars: Mapping[str, Any], key: str) -> str:
    value = hostvars.get(key)
    return "" if value is None else str(value)


def target_for(name: str, inventory: Inventory) -> Target:
    """The Target of one inventory host: its groups, its address and the command that reaches it."""
    hostvars = inventory.hosts.get(name, {})
    groups = tuple(
        sorted(g for g, hosts in inventory.groups.items() if name in hosts and g not in ("all", "ungrouped"))
    )
    connection_var = _text(hostvars, "ansible_connection") or "ssh"
    address = _text(hostvars, "medops_address") or _text(hostvars, "ansible_host") or name
    problem = ""
    for key in (
        "ansible_host",
        "ansible_user",
        "ansible_port",
        "ansible_connection",
        "ansible_ssh_private_key_file",
    ):
        if _is_template(hostvars.get(key)):
            problem = (
                f"{key} is a template ({hostvars[key]}); medops inspect reads inventory values as written"
            )
    reach = _text(hostvars, "ansible_host") or name
    if connection_var in DOCKER_CONNECTIONS:
        return Target(
            name, groups, address, "docker", ("docker", "exec", "-i", reach, "sh", "-s"), hostvars, problem
        )
    if connection_var in LOCAL_CONNECTIONS:
        return Target(name, groups, address, "local", ("sh", "-s"), hostvars, problem)
    if connection_var not in SSH_CONNECTIONS:
        return Target(
            name,
            groups,
            address,
            connection_var,
            (),
            hostvars,
            problem or f"connection {connection_var} is not supported by medops inspect (docker, ssh, local)",
        )
    user = _text(hostvars, "ansible_user")
    argv = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=10"]
    port = _text(hostvars, "ansible_port") or _text(hostvars, "ansible_ssh_port")
    if port:
        argv += ["-p", port]
    key = _text(hostvars, "ansible_ssh_private_key_file") or _text(hostvars, "ansible_private_key_file")
    if key:
        argv += ["-i", key]
    for extra in ("ansible_ssh_common_args", "ansible_ssh_extra_args"):
        if hostvars.get(extra) and not _is_template(hostvars[extra]):
            argv += shlex.split(str(hostvars[extra]))
    argv.append(f"{user}@{reach}" if user else reach)
    # The script reads what only root may (the PostgreSQL TLS directory, pgBackRest as its user).
    argv += ["sh", "-s"] if user == "root" else ["sudo", "-n", "sh", "-s"]
    return Target(name, groups, address, "ssh", tuple(argv), hostvars, problem)


def targets(inventory: Inventory, limit: str | None) -> list[Target]:
    return [target_for(name, inventory) for name in select_hosts(inventory, limit)]
