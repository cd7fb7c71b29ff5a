"""A host's actual state, in one round trip: state.sh's output parsed into typed data (pure functions).

`collect_states` runs state.sh (beside this file, sent in front of the inspection's collect.sh, whose
helpers it uses) on every host at once through medops.inspect.collect; `parse_state` turns one host's
output into a HostState. Tests feed the parsers recorded output (tests/data/drift/).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from medops.inspect.collect import Collected, Job, collect_all, script_text
from medops.inspect.parse import (
    Certificate,
    LocalFact,
    Meta,
    _Reader,
    parse_certs,
    parse_fact,
    parse_meta,
    split_sections,
)
from medops.inspect.targets import Target

STATE_SCRIPT = "state.sh"
LAST_SECTION = "done"
NO_LOGIN_SHELLS = frozenset(
    {"", "/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/sync", "/usr/bin/sync"}
)


def state_script() -> str:
    """What a host receives after its parameters: state.sh's functions, then collect.sh, which calls them."""
    own = resources.files("medops.drift").joinpath(STATE_SCRIPT).read_text(encoding="utf-8")
    return f"MEDOPS_MAIN=state_main\n{own}\n{script_text()}"


def collect_states(targets: Sequence[Target], *, workers: int, timeout: float) -> list[Collected]:
    jobs = [Job(target, since=0) for target in targets]
    return collect_all(jobs, workers=workers, timeout=timeout, body=state_script(), last=LAST_SECTION)


# --- packages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    architecture: str
    priority: str  # required | important | standard | optional | extra | ""
    essential: bool
    requires: tuple[tuple[str, ...], ...]  # Pre-Depends, Depends and Recommends: each a list of alternatives
    provides: tuple[str, ...]


def _relation_names(text: str) -> list[tuple[str, ...]]:
    """`a (>= 1), b | c:any` → [("a",), ("b", "c")] (versions and architectures dropped)."""
    groups = []
    for clause in text.split(","):
        names = tuple(
            re.split(r"[\s(:\[]", alternative.strip(), maxsplit=1)[0]
            for alternative in clause.split("|")
            if alternative.strip()
        )
        if names:
            groups.append(names)
    return groups


def parse_packages(text: str) -> dict[str, Package]:
    """dpkg-query lines (state.sh): installed packages only (status `ii` or `hi`), by name."""
    packages: dict[str, Package] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 10 or len(parts[0]) < 2 or parts[0][1] != "i":
            continue
        _, name, version, arch, priority, essential, pre, depends, recommends, provides = parts[:10]
        requires = (*_relation_names(pre), *_relation_names(depends), *_relation_names(recommends))
        packages[name] = Package(
            name,
            version,
            arch,
            priority,
            essential == "yes",
            tuple(requires),
            tuple(n for group in _relation_names(provides) for n in group),
        )
    return packages


# --- listening sockets ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Listener:
    proto: str  # tcp | udp
    port: int
    address: str
    process: str  # the program's name, "" when ss did not say

    @property
    def loopback(self) -> bool:
        return self.address.startswith("127.") or self.address in ("::1", "[::1]")


_PROCESS = re.compile(r'users:\(\("([^"]+)"')


def parse_listen(text: str) -> list[Listener]:
    """`ss -H -lntup`: netid, state, queues, local address:port, peer, process."""
    found = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[0] not in ("tcp", "udp"):
            continue
        address, _, port = parts[4].rpartition(":")
        if not port.isdigit():
            continue
        match = _PROCESS.search(line)
        address = address.split("%")[0].strip("[]")
        found.add(Listener(parts[0], int(port), address, match[1] if match else ""))
    return sorted(found)


# --- accounts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    home: str
    shell: str
    password: str  # P usable, L locked, NP none (passwd -S), "?" unknown
    keys: int  # authorized SSH keys
    groups: tuple[str, ...]  # supplementary groups and the primary one

    @property
    def interactive(self) -> bool:
        return self.shell not in NO_LOGIN_SHELLS

    @property
    def login_capable(self) -> bool:
        """A shell, and a usable password, an empty one, or an authorized key."""
        return self.interactive and (self.password in ("P", "NP") or self.keys > 0)


def parse_accounts(passwd: str, status: str, keys: str, groups: str) -> dict[str, Account]:
    """getent passwd, passwd -S -a, state.sh's key counts and getent group → accounts by name."""
    states = {p[0]: p[1] for p in (line.split() for line in status.splitlines()) if len(p) >= 2}
    counts = {
        p[0]: int(p[1])
        for p in (line.split() for line in keys.splitlines())
        if len(p) == 2 and p[1].isdigit()
    }
    gids: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for line in groups.splitlines():
        parts = line.split(":")
        if len(parts) >= 4:
            gids[parts[2]] = parts[0]
            for member in filter(None, parts[3].split(",")):
                members.setdefault(member, []).append(parts[0])
    accounts: dict[str, Account] = {}
    for line in passwd.splitlines():
        parts = line.split(":")
        if len(parts) < 7 or not parts[2].isdigit():
            continue
        name = parts[0]
        primary = gids.get(parts[3], "")
        accounts[name] = Account(
            name,
            int(parts[2]),
            parts[5],
            parts[6],
            states.get(name, "?"),
            counts.get(name, 0),
            tuple(sorted({*members.get(name, []), *([primary] if primary else [])})),
        )
    return accounts


@dataclass(frozen=True)
class SudoRule:
    file: str
    text: str

    @property
    def who(self) -> str:
        """The rule's user or %group (first word), or "" for Defaults, aliases and includes."""
        first = self.text.split()[0] if self.text.split() else ""
        if first.startswith(("Defaults", "#", "@")) or first.endswith("_Alias") or "=" in first:
            return ""
        return first


def parse_sudoers(text: str) -> list[SudoRule]:
    rules = []
    for line in text.splitlines():
        file, sep, rule = line.partition("\t")
        if sep and rule.strip():
            rules.append(SudoRule(file, rule.strip()))
    return rules


def sudo_users(rules: Sequence[SudoRule], accounts: Mapping[str, Account]) -> dict[str, str]:
    """user → the rule that gives them sudo (named directly, or through a %group they are in)."""
    found: dict[str, str] = {}
    for rule in rules:
        who = rule.who
        if not who:
            continue
        if who.startswith("%"):
            group = who[1:]
            for account in accounts.values():
                if group in account.groups:
                    found.setdefault(account.name, f"{rule.file}: {rule.text}")
        elif who in accounts:
            found.setdefault(who, f"{rule.file}: {rule.text}")
    return found


# --- units ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnabledUnit:
    unit: str
    state: str
    path: str  # "" when no file was found
    package: str  # "" when no package ships the file


def parse_enabled(text: str) -> list[EnabledUnit]:
    units = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            unit, state, path, package = parts
            units.append(
                EnabledUnit(unit, state, "" if path == "-" else path, "" if package == "-" else package)
            )
    return units


@dataclass(frozen=True)
class ServiceState:
    unit: str
    load: str
    active: str
    sub: str


def parse_services(text: str) -> list[ServiceState]:
    """`systemctl list-units --type=service --all --plain --no-legend`."""
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0].endswith(".service"):
            found.append(ServiceState(parts[0].lstrip("●*"), parts[1], parts[2], parts[3]))
    return found


# --- changed package files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changed:
    path: str
    flags: str  # dpkg --verify's nine characters: 5 at the third means the contents differ
    conffile: bool

    @property
    def missing(self) -> bool:
        return self.flags.startswith("missing")


def parse_verify(text: str) -> list[Changed]:
    """`dpkg --verify`: `??5??????   c /etc/x` or `missing     /etc/y` (dpkg's errors are left out)."""
    found = []
    for line in text.splitlines():
        match = re.match(r"^(missing|[?.0-9A-Za-z]{9}) +(c )?\s*(/.*)$", line)
        if match:
            found.append(Changed(match[3].strip(), match[1], bool(match[2])))
    return found


# --- one host -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostState:
    meta: Meta | None
    hardware: Mapping[str, str]
    disks: tuple[Mapping[str, str], ...]
    packages: Mapping[str, Package] | None  # None: no dpkg
    listeners: tuple[Listener, ...]
    accounts: Mapping[str, Account]
    sudoers: tuple[SudoRule, ...]
    enabled: tuple[EnabledUnit, ...] | None  # None: not systemd
    services: tuple[ServiceState, ...]
    changed_files: tuple[Changed, ...]
    fact: LocalFact | None
    firewall: str | None
    certificates: tuple[Certificate, ...]
    pg_settings: Mapping[
        str, tuple[tuple[str, str, str, str], ...]
    ]  # cluster → (name, setting, unit, source)
    problems: tuple[str, ...]


def _pairs(text: str) -> dict[str, str]:
    return {k.strip(): v for k, sep, v in (line.partition("=") for line in text.splitlines()) if sep}


def parse_disks(text: str) -> list[dict[str, str]]:
    """`lsblk -P` lines: NAME="sda" SIZE="…" TYPE="disk" MODEL="…"."""
    return [
        {k.lower(): v for k, v in re.findall(r'(\w+)="([^"]*)"', line)}
        for line in text.splitlines()
        if line.strip()
    ]


def parse_pg_settings(text: str) -> dict[str, tuple[tuple[str, str, str, str], ...]]:
    settings: dict[str, list[tuple[str, str, str, str]]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            settings.setdefault(parts[0], []).append((parts[1], parts[2], parts[3], parts[4]))
    return {cluster: tuple(rows) for cluster, rows in settings.items()}


def parse_state(output: str, nonce: str) -> HostState:
    """Every section of one host's state.sh output; a missing or unreadable one becomes a problem line."""
    reader = _Reader(split_sections(output, nonce))

    def text(name: str) -> str:
        section = reader.present(name)
        return section.text if section else ""

    packages = reader.present("packages")
    enabled = reader.present("enabled")
    fact = reader.present("fact")
    firewall = reader.present("firewall")
    if reader.get(LAST_SECTION) is None:
        reader.problems.append("the state script did not finish: the data is incomplete")
    return HostState(
        meta=reader.parsed("meta", lambda s: parse_meta(s.text)),
        hardware=_pairs(text("hardware")),
        disks=tuple(parse_disks(text("disks"))),
        packages=parse_packages(packages.text) if packages else None,
        listeners=tuple(parse_listen(text("listen"))),
        accounts=parse_accounts(text("passwd"), text("pwstatus"), text("keys"), text("groups")),
        sudoers=tuple(parse_sudoers(text("sudoers"))),
        enabled=tuple(parse_enabled(enabled.text)) if enabled else None,
        services=tuple(parse_services(text("services"))),
        changed_files=tuple(parse_verify(text("verify"))),
        fact=parse_fact(fact.text) if fact else None,
        firewall=firewall.text if firewall else None,
        certificates=tuple(parse_certs(text("certs"))),
        pg_settings=parse_pg_settings(text("pgsettings")),
        problems=tuple(dict.fromkeys(reader.problems)),
    )
