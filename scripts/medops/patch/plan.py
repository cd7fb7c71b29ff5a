"""Patch proposals: what each host would install, and the content hash an approval refers to.

A host's collection (written by playbooks/patch-plan.yml, one JSON file per host) holds the raw output
of the read-only commands; `host_plan` turns it into data. A proposal is the plans of several hosts
with one content hash:

    sha256 over the lines "<host>\\t<package>\\t<target version>\\n", sorted, UTF-8

so the hash names exactly which versions go onto which hosts and nothing else (not the time of
collection, not the wording of the report). An approval quotes it; playbooks/patch.yml recomputes it
from what the targeted hosts have pending at apply time and refuses when the two differ.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from medops.errors import MedopsError
from medops.patch.apt import parse_policy, parse_simulation, parse_unit_packages, services_to_restart

PROPOSAL_SCHEMA = "medops.patch-proposal/1"
COLLECTION_SCHEMA = "medops.patch-collection/1"
HASH_PREFIX = "sha256:"
PROPOSAL_ID = re.compile(r"^[a-z0-9][a-z0-9-]*-\d{8}T\d{6}Z$")
HOST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Package:
    """One package of a host's plan."""

    name: str
    arch: str
    installed: str | None  # None: newly installed
    target: str
    security: bool
    origins: tuple[str, ...]  # Origin:Version/Archive of the target
    reboot_likely: bool

    @property
    def action(self) -> str:
        return "upgrade" if self.installed else "install"


@dataclass(frozen=True)
class HostPlan:
    """What one host would install, and what that means for its services."""

    host: str
    collected_at: datetime
    os: str
    container: str  # systemd-detect-virt --container: "none" on a real machine
    packages: tuple[Package, ...]
    removals: tuple[tuple[str, str], ...]  # apt would remove these: never done by medops
    held_back: int
    services: tuple[str, ...]  # systemd services mapping files of a package in the plan
    pid1: bool  # PID 1 (systemd) maps files of a package in the plan: daemon-reexec or reboot

    @property
    def reboot_likely(self) -> bool:
        return any(p.reboot_likely for p in self.packages)

    @property
    def security_count(self) -> int:
        return sum(1 for p in self.packages if p.security)

    def entries(self) -> list[tuple[str, str, str]]:
        return [(self.host, p.name, p.target) for p in self.packages]


@dataclass(frozen=True)
class Proposal:
    """The plans of the hosts of one proposal and their content hash."""

    id: str
    environment: str
    created: datetime
    created_by: str
    hosts: tuple[HostPlan, ...]

    @property
    def content_hash(self) -> str:
        return content_hash(e for h in self.hosts for e in h.entries())

    def host(self, name: str) -> HostPlan | None:
        return next((h for h in self.hosts if h.host == name), None)


def content_hash(entries: Iterable[tuple[str, str, str]]) -> str:
    """sha256 of the sorted (host, package, target version) set, as "sha256:<hex>"."""
    lines = sorted({f"{host}\t{package}\t{version}\n" for host, package, version in entries})
    return HASH_PREFIX + hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _time(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise MedopsError(f"{where} is {value!r}; expected a time as ISO 8601")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MedopsError(f"{where} is {value!r}, not a time as ISO 8601") from None
    if moment.tzinfo is None:
        raise MedopsError(f"{where} is {value!r} without a time zone")
    return moment


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise MedopsError(f"{where}: {key} is missing or not text")
    return value


def host_plan(collection: Mapping[str, Any], source: str) -> HostPlan:
    """One host's plan from its collection (the JSON the plan playbook writes)."""
    if collection.get("schema") != COLLECTION_SCHEMA:
        raise MedopsError(f"{source} is not a patch collection (schema {collection.get('schema')!r})")
    host = _text(collection, "host", source)
    if not HOST_NAME.match(host):
        raise MedopsError(f"{source}: host {host!r} is not a host name")
    update = collection.get("apt_update") or {}
    if update.get("rc", 0) != 0:
        last = (str(update.get("stderr") or "").strip().splitlines() or ["no output"])[-1]
        raise MedopsError(f"{host}: apt-get update failed (rc {update.get('rc')}): {last}")
    try:
        simulation = parse_simulation(_text(collection, "simulate", source))
    except MedopsError as exc:
        raise MedopsError(f"{host}: {exc}") from None
    policy = parse_policy(str(collection.get("policy") or ""))
    packages = []
    for upgrade in simulation.upgrades:
        known = policy.get(upgrade.name)
        if known is not None and known.candidate not in (None, upgrade.candidate):
            raise MedopsError(
                f"{host}: apt-cache policy names {known.candidate} as the candidate of {upgrade.name}, "
                f"the simulation {upgrade.candidate}; the package lists changed during collection, plan again"
            )
        packages.append(
            Package(
                name=upgrade.name,
                arch=upgrade.arch,
                installed=upgrade.installed,
                target=upgrade.candidate,
                security=upgrade.security or bool(known and known.security),
                origins=tuple(str(r) for r in upgrade.releases),
                reboot_likely=upgrade.reboot_likely,
            )
        )
    units = parse_unit_packages(str(collection.get("units") or ""))
    services, pid1 = services_to_restart(units, {p.name for p in packages})
    return HostPlan(
        host=host,
        collected_at=_time(collection.get("collected_at"), f"{source}: collected_at"),
        os=str(collection.get("os") or ""),
        container=str(collection.get("container") or "none"),
        packages=tuple(packages),
        removals=simulation.removals,
        held_back=simulation.held_back,
        services=services,
        pid1=pid1,
    )


def read_collections(folder: Path) -> list[HostPlan]:
    """Every `<host>.json` collection in `folder`, as host plans sorted by host."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise MedopsError(f"no host collections (*.json) in {folder}; did the plan playbook reach any host?")
    plans = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MedopsError(f"cannot read the collection {path.name}: {exc}") from None
        if not isinstance(data, dict):
            raise MedopsError(f"{path.name} does not hold a collection (a JSON object)")
        plans.append(host_plan(data, path.name))
    return sorted(plans, key=lambda p: p.host)


def proposal_id(environment: str, created: datetime) -> str:
    return f"{environment}-{created.strftime('%Y%m%dT%H%M%SZ')}"


# --- JSON ------------------------------------------------------------------------------------------


def _package_data(package: Package) -> dict[str, Any]:
    return {
        "name": package.name,
        "arch": package.arch,
        "action": package.action,
        "from": package.installed,
        "to": package.target,
        "security": package.security,
        "origins": list(package.origins),
        "reboot_likely": package.reboot_likely,
    }


def host_data(plan: HostPlan) -> dict[str, Any]:
    return {
        "host": plan.host,
        "collected_at": plan.collected_at.isoformat(),
        "os": plan.os,
        "container": plan.container,
        "hash": content_hash(plan.entries()),
        "packages": [_package_data(p) for p in plan.packages],
        "removals": [{"name": n, "version": v} for n, v in plan.removals],
        "held_back": plan.held_back,
        "services": list(plan.services),
        "pid1": plan.pid1,
        "reboot_likely": plan.reboot_likely,
    }


def proposal_data(proposal: Proposal) -> dict[str, Any]:
    """The proposal as the JSON record (proposal.json); `load_proposal` reads it back."""
    return {
        "schema": PROPOSAL_SCHEMA,
        "id": proposal.id,
        "environment": proposal.environment,
        "created": proposal.created.isoformat(),
        "created_by": proposal.created_by,
        "content_hash": proposal.content_hash,
        "counts": {
            "hosts": len(proposal.hosts),
            "packages": sum(len(h.packages) for h in proposal.hosts),
            "security": sum(h.security_count for h in proposal.hosts),
        },
        "hosts": [host_data(h) for h in proposal.hosts],
    }


def _package_from(data: Mapping[str, Any], where: str) -> Package:
    installed = data.get("from")
    return Package(
        name=_text(data, "name", where),
        arch=str(data.get("arch") or ""),
        installed=installed if isinstance(installed, str) else None,
        target=_text(data, "to", where),
        security=bool(data.get("security")),
        origins=tuple(str(o) for o in data.get("origins") or ()),
        reboot_likely=bool(data.get("reboot_likely")),
    )


def proposal_from_data(data: object, source: str) -> Proposal:
    """A proposal from its JSON record; refuses one whose recorded hash differs from its content."""
    if not isinstance(data, dict) or data.get("schema") != PROPOSAL_SCHEMA:
        raise MedopsError(f"{source} is not a patch proposal ({PROPOSAL_SCHEMA})")
    hosts = []
    for index, host in enumerate(data.get("hosts") or []):
        where = f"{source}: hosts[{index}]"
        if not isinstance(host, dict):
            raise MedopsError(f"{where} is not a mapping")
        hosts.append(
            HostPlan(
                host=_text(host, "host", where),
                collected_at=_time(host.get("collected_at"), f"{where}.collected_at"),
                os=str(host.get("os") or ""),
                container=str(host.get("container") or "none"),
                packages=tuple(_package_from(p, where) for p in host.get("packages") or []),
                removals=tuple((str(r["name"]), str(r["version"])) for r in host.get("removals") or []),
                held_back=int(host.get("held_back") or 0),
                services=tuple(str(s) for s in host.get("services") or ()),
                pid1=bool(host.get("pid1")),
            )
        )
    proposal = Proposal(
        id=_text(data, "id", source),
        environment=_text(data, "environment", source),
        created=_time(data.get("created"), f"{source}: created"),
        created_by=str(data.get("created_by") or ""),
        hosts=tuple(hosts),
    )
    recorded = data.get("content_hash")
    if recorded != proposal.content_hash:
        raise MedopsError(
            f"{source}: its content hash {recorded} does not match its packages ({proposal.content_hash}); "
            "the proposal was edited after it was written and is not usable"
        )
    return proposal


def proposal_dir(records: Path, proposal: str) -> Path:
    return records / "patches" / proposal


def load_proposal(records: Path, proposal: str) -> Proposal:
    """records/patches/<proposal>/proposal.json, checked against its own hash."""
    if not PROPOSAL_ID.match(proposal):
        raise MedopsError(f"{proposal!r} is not a proposal id (like lab-20260510T020000Z)")
    path = proposal_dir(records, proposal) / "proposal.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MedopsError(f"no proposal {proposal} (no {path.name} in records/patches/{proposal})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MedopsError(f"cannot read proposal {proposal}: {exc}") from None
    return proposal_from_data(data, f"proposal {proposal}")


def list_proposals(records: Path) -> list[Proposal]:
    """Every readable proposal under records/patches, oldest first (unreadable ones are skipped)."""
    found = []
    for path in sorted((records / "patches").glob("*/proposal.json")):
        try:
            found.append(load_proposal(records, path.parent.name))
        except MedopsError:
            continue
    return sorted(found, key=lambda p: p.created)


def approved_entries(proposal: Proposal, hosts: Sequence[str]) -> list[tuple[str, str, str]]:
    return [e for h in proposal.hosts if h.host in hosts for e in h.entries()]
