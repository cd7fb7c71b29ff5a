"""Declared against actual for what Ansible does not manage: packages, listeners, accounts, units, files.

Pure functions. What a host is declared to have comes from three places, never from a second hand-written
list of what the roles do:

1. the check-mode run of site.yml (medops.drift.checkmode.Declared): the packages its apt tasks install,
   the units its systemd tasks enable, the accounts its user tasks create and the files its file tasks
   manage, all as Ansible rendered them for the host;
2. the host's medops local fact, written by the roles: the administrators (base) and the ports each role
   serves on (postgresql, pgbackrest, app);
3. the inventory: the SSH port and every firewall rule (`base_firewall_rules`, `base_firewall_rules__*`),
   the NTP port of a time server, and `drift_allowed_*` (group_vars/all/drift.yml): what the platform may
   bring that no role declares (the lab image's packages, Docker's DNS listener), each with a reason.

Debian's own base system (Essential, Priority required or important) and everything the declared packages
depend on or recommend are part of the baseline.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from medops.drift.checkmode import Declared
from medops.drift.state import EnabledUnit, HostState, Listener, Package, sudo_users

BASE_PRIORITIES = ("required", "important")
# Ports the roles record in the local fact: role → (key of its fact data, protocol).
FACT_PORTS: Mapping[str, tuple[str, str]] = {
    "postgresql": ("port", "tcp"),
    "pgbackrest": ("tls_port", "tcp"),
    "app": ("port", "tcp"),
}
NTP_PORT = 123
KINDS = ("package", "port", "user", "unit", "file")


@dataclass(frozen=True)
class Allowance:
    """One entry of drift_allowed_*: a pattern and why it may be there."""

    pattern: str
    why: str
    proto: str = ""  # ports only: tcp | udp | "" (both)
    address: str = ""  # ports only: a listening address, or "" (any)


@dataclass(frozen=True)
class Allowed:
    packages: tuple[Allowance, ...] = ()
    ports: tuple[Allowance, ...] = ()  # pattern: a port number or "*"
    users: tuple[Allowance, ...] = ()
    units: tuple[Allowance, ...] = ()
    files: tuple[Allowance, ...] = ()

    def match(self, kind: str, name: str) -> Allowance | None:
        entries: tuple[Allowance, ...] = getattr(self, kind)
        return next((e for e in entries if fnmatch.fnmatchcase(name, e.pattern)), None)


@dataclass(frozen=True, order=True)
class Finding:
    """Something on a host that nothing declares."""

    kind: str  # package | port | user | unit | file
    subject: str  # the package, "tcp/8080", the user, the unit, the file
    detail: str  # what was seen, in plain words (data, not wording: reports word the kind)


def _entries(hostvars: Mapping[str, object], name: str) -> list[object]:
    """`name` and every `name__<suffix>` (sorted), concatenated: the convention for lists groups add to."""
    found: list[object] = []
    pattern = re.compile(rf"^{re.escape(name)}(__.+)?$")
    for key in sorted(k for k in hostvars if pattern.match(k)):
        value = hostvars[key]
        if isinstance(value, list):
            found.extend(value)
    return found


def _allowances(hostvars: Mapping[str, object], kind: str) -> tuple[Allowance, ...]:
    found = []
    for entry in _entries(hostvars, f"drift_allowed_{kind}"):
        if isinstance(entry, str):
            found.append(Allowance(entry, ""))
        elif isinstance(entry, Mapping):
            key = "port" if kind == "ports" else "name"
            found.append(
                Allowance(
                    str(entry.get(key, "*")),
                    str(entry.get("why", "")),
                    str(entry.get("proto", "")),
                    str(entry.get("address", "")),
                )
            )
    return tuple(found)


def allowed_from(
    hostvars: Mapping[str, object], roles: Mapping[str, Mapping[str, object]] | None = None
) -> Allowed:
    """drift_allowed_* of the inventory, plus `drift_allowed` of each role's meta/medops.yml in `roles`."""
    merged = dict(hostvars)
    for role, declared in (roles or {}).items():
        allowed = declared.get("drift_allowed")
        if isinstance(allowed, Mapping):
            for kind, entries in allowed.items():
                merged[f"drift_allowed_{kind}__role_{role}"] = entries
    return Allowed(*(_allowances(merged, k) for k in ("packages", "ports", "users", "units", "files")))


def role_declarations(roles_dir: Path) -> dict[str, dict[str, object]]:
    """Each role's meta/medops.yml (what the role puts on a host that its variables do not say)."""
    found: dict[str, dict[str, object]] = {}
    for path in sorted(roles_dir.glob("*/meta/medops.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            found[path.parent.parent.name] = data
    return found


@dataclass(frozen=True)
class Port:
    proto: str
    port: int
    why: str


def declared_ports(hostvars: Mapping[str, object], state: HostState) -> list[Port]:
    """Ports the inventory and the roles' facts declare for the host."""
    ports = [Port("tcp", int(str(hostvars.get("base_ssh_port", 22))), "base_ssh_port")]
    for rule in _entries(hostvars, "base_firewall_rules"):
        if isinstance(rule, Mapping) and str(rule.get("port", "")).isdigit():
            ports.append(
                Port(
                    str(rule.get("proto", "tcp")), int(str(rule["port"])), f"firewall rule {rule.get('name')}"
                )
            )
    if hostvars.get("base_chrony_serve_networks"):
        ports.append(Port("udp", NTP_PORT, "base_chrony_serve_networks"))
    fact = state.fact
    for role, (key, proto) in FACT_PORTS.items():
        data = fact.data(role) if fact else None
        if data is not None and str(data.get(key, "")).isdigit():
            if role == "pgbackrest" and data.get("mode") == "restore":
                continue  # the restore host runs no TLS server
            ports.append(Port(proto, int(str(data[key])), f"{role} (local fact)"))
    return ports


def _bare(name: str) -> str:
    return re.split(r"[=:<>]", name.strip(), maxsplit=1)[0]


def baseline_packages(packages: Mapping[str, Package], roots: Iterable[str]) -> set[str]:
    """The installed packages reachable from `roots` through Pre-Depends, Depends and Recommends."""
    providers: dict[str, list[str]] = {}
    for package in packages.values():
        providers.setdefault(package.name, []).append(package.name)
        for virtual in package.provides:
            providers.setdefault(virtual, []).append(package.name)
    reached: set[str] = set()
    queue = [name for root in roots for name in providers.get(root, [])]
    while queue:
        name = queue.pop()
        if name in reached:
            continue
        reached.add(name)
        for group in packages[name].requires:
            for alternative in group:
                queue.extend(p for p in providers.get(alternative, []) if p not in reached)
    return reached


def _package_findings(packages: Mapping[str, Package], kept: set[str]) -> list[Finding]:
    """Undeclared packages, one finding per package nothing else undeclared needs (its dependencies named)."""
    extra = {name: packages[name] for name in set(packages) - kept}
    findings = []
    for name in sorted(extra):
        others = baseline_packages(extra, [n for n in extra if n != name])
        if name in others:
            continue  # needed by another undeclared package: named with it
        brought = sorted(baseline_packages(extra, [name]) - {name})
        detail = f"{extra[name].version} ({extra[name].priority or '-'})"
        if brought:
            detail += "; with " + ", ".join(brought)
        findings.append(Finding("package", name, detail))
    if extra and not findings:  # undeclared packages that only need each other: name them all
        findings = [
            Finding("package", n, f"{extra[n].version} ({extra[n].priority or '-'})") for n in sorted(extra)
        ]
    return findings


def _port_findings(state: HostState, hostvars: Mapping[str, object], allowed: Allowed) -> list[Finding]:
    ports = declared_ports(hostvars, state)
    return [
        Finding("port", f"{listener.proto}/{listener.port}", f"{listener.address} {listener.process or '-'}")
        for listener in state.listeners
        if not any(p.proto == listener.proto and p.port == listener.port for p in ports)
        and not _port_allowed(allowed, listener)
    ]


def _user_findings(state: HostState, declared: Declared, allowed: Allowed) -> list[Finding]:
    fact_admins = (state.fact.data("base") or {}).get("admin_users") if state.fact else None
    admins = {str(a) for a in fact_admins} if isinstance(fact_admins, list) else set()
    users = admins | set(declared.users)
    sudo = sudo_users(state.sudoers, state.accounts)
    findings = []
    for account in sorted(state.accounts.values(), key=lambda a: a.name):
        if not (account.login_capable or account.name in sudo):
            continue
        if account.name in users or allowed.match("users", account.name):
            continue
        how = []
        if account.login_capable:
            how.append(f"shell {account.shell}, password {account.password}, {account.keys} key(s)")
        if account.name in sudo:
            how.append(f"sudo: {sudo[account.name]}")
        findings.append(Finding("user", account.name, f"uid {account.uid}; " + "; ".join(how)))
    return findings


def _unit_declared(unit: EnabledUnit, declared: Declared, kept: set[str]) -> bool:
    return (
        unit.unit in declared.enabled
        or unit.unit.removesuffix(".service") in declared.enabled
        or bool(unit.path and unit.path in declared.files)
        or bool(unit.package and unit.package in kept)
    )


def _unit_findings(state: HostState, declared: Declared, kept: set[str], allowed: Allowed) -> list[Finding]:
    findings = []
    for unit in state.enabled or ():
        if _unit_declared(unit, declared, kept) or allowed.match("units", unit.unit):
            continue
        if unit.package and unit.package in (state.packages or {}):
            continue  # an undeclared package's unit: the package is reported already
        where = unit.path or "no unit file"
        shipped = f"package {unit.package}" if unit.package else "no package"
        findings.append(Finding("unit", unit.unit, f"{unit.state}; {where}; {shipped}"))
    return findings


def _file_findings(state: HostState, declared: Declared, allowed: Allowed) -> list[Finding]:
    return [
        Finding("file", changed.path, "missing" if changed.missing else changed.flags)
        for changed in state.changed_files
        if changed.path.startswith("/etc/")
        and changed.path not in declared.files
        and not allowed.match("files", changed.path)
    ]


def compare(
    state: HostState,
    declared: Declared,
    hostvars: Mapping[str, object],
    roles: Mapping[str, Mapping[str, object]] | None = None,
) -> list[Finding]:
    """Everything on the host that nothing declares, sorted by kind and subject.

    `roles` holds each role's meta/medops.yml; those of the roles in the host's local fact apply.
    """
    applied = set(state.fact.roles) if state.fact else set()
    allowed = allowed_from(hostvars, {r: d for r, d in (roles or {}).items() if r in applied})
    packages = state.packages or {}
    roots = {p.name for p in packages.values() if p.essential or p.priority in BASE_PRIORITIES}
    roots |= {_bare(n) for n in declared.packages}
    roots |= {p for p in packages if allowed.match("packages", p)}
    kept = baseline_packages(packages, roots)
    findings = [
        *_package_findings(packages, kept),
        *_port_findings(state, hostvars, allowed),
        *_user_findings(state, declared, allowed),
        *_unit_findings(state, declared, kept, allowed),
        *_file_findings(state, declared, allowed),
    ]
    return sorted(findings, key=lambda f: (KINDS.index(f.kind), f.subject))


def _port_allowed(allowed: Allowed, listener: Listener) -> bool:
    for entry in allowed.ports:
        if entry.proto and entry.proto != listener.proto:
            continue
        if entry.address and entry.address != listener.address:
            continue
        if entry.pattern in ("*", str(listener.port)):
            return True
    return False


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {kind: sum(1 for f in findings if f.kind == kind) for kind in KINDS}
