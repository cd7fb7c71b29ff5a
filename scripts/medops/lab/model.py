"""The lab estate as data, read from `ansible-inventory --list` output (pure functions, no I/O)."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any

from medops.errors import MedopsError

SUPPORTED_RELEASES = (12, 13)


@dataclass(frozen=True)
class LabHost:
    """One lab container: its inventory name, address on the lab network and Debian release."""

    name: str
    address: str
    release: int
    groups: tuple[str, ...]


@dataclass(frozen=True)
class LabEstate:
    """The lab network and its hosts."""

    network: str
    subnet: str
    hosts: tuple[LabHost, ...]

    def host(self, name: str) -> LabHost:
        for host in self.hosts:
            if host.name == name:
                return host
        raise MedopsError(f"no lab host named {name!r} in inventory/lab/hosts.yml")


def _groups_of(inventory: dict[str, Any]) -> dict[str, list[str]]:
    """Map each host to the groups it belongs to (directly or through children)."""
    memberships: dict[str, list[str]] = {}

    def walk(group: str, trail: tuple[str, ...]) -> None:
        node = inventory.get(group, {})
        for host in node.get("hosts", []):
            memberships.setdefault(host, [])
            for name in (*trail, group):
                if name not in ("all", "ungrouped") and name not in memberships[host]:
                    memberships[host].append(name)
        for child in node.get("children", []):
            walk(child, (*trail, group))

    walk("all", ())
    return memberships


def parse_estate(inventory_json: str) -> LabEstate:
    """Build the lab estate from `ansible-inventory --list` JSON, checking what the lab relies on."""
    try:
        inventory: dict[str, Any] = json.loads(inventory_json)
    except json.JSONDecodeError as exc:
        raise MedopsError(f"ansible-inventory output is not JSON: {exc}") from exc
    hostvars: dict[str, dict[str, Any]] = inventory.get("_meta", {}).get("hostvars", {})
    memberships = _groups_of(inventory)
    if not memberships:
        raise MedopsError("the lab inventory has no hosts")

    networks = {str(v.get("lab_network_name", "")) for v in hostvars.values()}
    subnets = {str(v.get("lab_network_subnet", "")) for v in hostvars.values()}
    if len(networks) != 1 or "" in networks:
        raise MedopsError("lab_network_name must be set once for all lab hosts (group_vars/all/lab.yml)")
    if len(subnets) != 1 or "" in subnets:
        raise MedopsError("lab_network_subnet must be set once for all lab hosts (group_vars/all/lab.yml)")
    network, subnet = networks.pop(), subnets.pop()
    try:
        net = ipaddress.ip_network(subnet)
    except ValueError as exc:
        raise MedopsError(f"lab_network_subnet {subnet!r} is not a network in CIDR form") from exc

    hosts: list[LabHost] = []
    seen: dict[str, str] = {}
    for name in sorted(memberships):
        hv = hostvars.get(name, {})
        address = str(hv.get("medops_address", ""))
        if not address:
            raise MedopsError(f"lab host {name} has no medops_address in inventory/lab/hosts.yml")
        try:
            ip = ipaddress.ip_address(address)
        except ValueError as exc:
            raise MedopsError(f"lab host {name}: medops_address {address!r} is not an IP address") from exc
        if ip not in net:
            raise MedopsError(f"lab host {name}: medops_address {address} is outside {subnet}")
        if address in seen:
            raise MedopsError(f"lab hosts {seen[address]} and {name} share the address {address}")
        seen[address] = name
        release = hv.get("lab_debian_release", 12)
        if release not in SUPPORTED_RELEASES:
            raise MedopsError(
                f"lab host {name}: lab_debian_release {release!r} is not one of {SUPPORTED_RELEASES}"
            )
        hosts.append(LabHost(name, address, int(release), tuple(memberships[name])))
    return LabEstate(network=network, subnet=str(net), hosts=tuple(hosts))
