"""What apt and dpkg print on a host, as data (pure functions; the collection is playbooks/patch-plan.yml).

`apt-get -s -o Debug::NoLocking=1 dist-upgrade` simulates the upgrade without changing anything and
prints one line per action, for example:

    Inst libssl3 [3.0.20-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
    Inst linux-image-6.1.0-40-amd64 (6.1.153-1 Debian:12.12/oldstable [amd64])       (new package)
    Remv libfoo1 [1.0-1]

Each release of the candidate (comma-separated) is `Origin:Version/Archive`; a candidate that comes
from an archive named `*-security` (origin Debian-Security) is a security update. `apt-cache policy`
confirms it with the archive each candidate version comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medops.errors import MedopsError

# Packages whose new version only takes full effect after a reboot (the running kernel, the C
# library every process maps, PID 1 and the early boot chain). Anything else is handled by
# restarting the services that map the old files.
REBOOT_PACKAGES = re.compile(
    r"^(linux-image-.*|linux-headers-.*|linux-(signed|modules)-.*|libc6|libc-bin|systemd|"
    r"libsystemd0|libsystemd-shared|udev|libudev1|dbus|dbus-daemon|libdbus-1-3|"
    r"intel-microcode|amd64-microcode|initramfs-tools.*|grub-.*|shim-.*|openssl-provider-fips)$"
)

_INST = re.compile(
    r"^Inst (?P<name>[a-z0-9][a-z0-9+.-]*)(?::(?P<qual>[a-z0-9-]+))?"
    r"(?: \[(?P<installed>[^\]]+)\])?"
    r" \((?P<candidate>\S+) (?P<releases>.*?) \[(?P<arch>[a-z0-9-]+)\]\)"
)
_REMV = re.compile(r"^Remv (?P<name>[a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?(?: \[(?P<installed>[^\]]+)\])?")
_SUMMARY = re.compile(r"^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\.")
_POLICY_PACKAGE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?:$")
_POLICY_VERSION = re.compile(r"^ (?:\*\*\*| {3}) (?P<version>\S+) (?P<priority>-?\d+)$")
_POLICY_SOURCE = re.compile(r"^ {8}(?P<priority>-?\d+) (?P<source>.+)$")


@dataclass(frozen=True)
class Release:
    """One release a candidate version comes from, as apt names it: Origin:Version/Archive."""

    origin: str
    version: str
    archive: str

    @property
    def security(self) -> bool:
        return self.archive.endswith("-security") or self.origin.endswith("-Security")

    def __str__(self) -> str:
        return f"{self.origin}:{self.version}/{self.archive}"


@dataclass(frozen=True)
class Upgrade:
    """One package apt would install: an upgrade of an installed package, or a new one."""

    name: str
    arch: str
    installed: str | None  # None: a new package (for example a new kernel ABI)
    candidate: str
    releases: tuple[Release, ...]

    @property
    def action(self) -> str:
        return "upgrade" if self.installed else "install"

    @property
    def security(self) -> bool:
        return any(r.security for r in self.releases)

    @property
    def reboot_likely(self) -> bool:
        return bool(REBOOT_PACKAGES.match(self.name))


@dataclass(frozen=True)
class Simulation:
    """The whole simulated dist-upgrade of one host."""

    upgrades: tuple[Upgrade, ...]
    removals: tuple[tuple[str, str], ...]  # (package, installed version) apt would remove
    held_back: int  # "not upgraded" of the summary line


def _releases(text: str, line: str) -> tuple[Release, ...]:
    releases = []
    for part in text.split(", "):
        match = re.fullmatch(r"(?P<origin>[^:\s]+):(?P<version>[^/\s]*)/(?P<archive>\S+)", part.strip())
        if match is None:
            raise MedopsError(f"apt simulation: cannot read the release {part!r} in: {line}")
        releases.append(Release(match["origin"], match["version"], match["archive"]))
    return tuple(releases)


def parse_simulation(output: str) -> Simulation:
    """Parse `apt-get -s dist-upgrade` output (English messages: run it with LC_ALL=C)."""
    upgrades: dict[str, Upgrade] = {}
    removals: list[tuple[str, str]] = []
    summary: tuple[int, ...] | None = None
    for line in output.splitlines():
        if line.startswith("Inst "):
            match = _INST.match(line)
            if match is None:
                raise MedopsError(f"apt simulation: cannot read the line: {line}")
            upgrade = Upgrade(
                name=match["name"],
                arch=match["arch"],
                installed=match["installed"],
                candidate=match["candidate"],
                releases=_releases(match["releases"], line),
            )
            upgrades[upgrade.name] = upgrade
        elif line.startswith("Remv "):
            removal = _REMV.match(line)
            if removal is None:
                raise MedopsError(f"apt simulation: cannot read the line: {line}")
            removals.append((removal["name"], removal["installed"] or ""))
        elif found := _SUMMARY.match(line):
            summary = tuple(int(n) for n in found.groups())
        elif line.startswith(("E: ", "W: Some index files failed")):
            raise MedopsError(f"apt simulation failed: {line}")
    if summary is None:
        raise MedopsError(
            "apt simulation: no summary line (… upgraded, … newly installed …); not apt output?"
        )
    upgraded, installed, removed, held = summary
    if upgraded + installed != len(upgrades) or removed != len(removals):
        raise MedopsError(
            f"apt simulation: the summary counts {upgraded} upgraded, {installed} new and {removed} removed, "
            f"the lines {len(upgrades)} installs and {len(removals)} removals"
        )
    return Simulation(
        upgrades=tuple(sorted(upgrades.values(), key=lambda u: u.name)),
        removals=tuple(sorted(removals)),
        held_back=held,
    )


@dataclass(frozen=True)
class Candidate:
    """`apt-cache policy` of one package: installed and candidate version, the candidate's sources."""

    name: str
    installed: str | None
    candidate: str | None
    sources: tuple[str, ...]  # e.g. "http://…/debian-security bookworm-security/main amd64 Packages"

    @property
    def security(self) -> bool:
        return any(" " in s and s.split()[1].split("/")[0].endswith("-security") for s in self.sources)


def parse_policy(output: str) -> dict[str, Candidate]:
    """Parse `apt-cache policy <package>…` output into candidates by package name."""
    found: dict[str, Candidate] = {}
    name: str | None = None
    fields: dict[str, str | None] = {}
    versions: dict[str, list[str]] = {}
    current: str | None = None

    def close() -> None:
        if name is not None:
            candidate = fields.get("Candidate")
            found[name] = Candidate(
                name=name,
                installed=fields.get("Installed"),
                candidate=candidate,
                sources=tuple(versions.get(candidate or "", [])),
            )

    for line in output.splitlines():
        if match := _POLICY_PACKAGE.match(line):
            close()
            name, fields, versions, current = match["name"], {}, {}, None
        elif line.startswith("  ") and not line.startswith("   ") and ":" in line:
            key, _, value = line.strip().partition(":")
            text = value.strip()
            fields[key] = None if text == "(none)" else text
        elif version := _POLICY_VERSION.match(line):
            current = version["version"]
            versions.setdefault(current, [])
        elif (
            (source := _POLICY_SOURCE.match(line))
            and current is not None
            and not source["source"].startswith("/var/lib/dpkg/status")
        ):
            versions[current].append(source["source"])
    close()
    return found


def parse_dpkg_query(output: str) -> dict[str, str]:
    """Parse `dpkg-query -W -f '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n'`: installed versions."""
    installed: dict[str, str] = {}
    for number, line in enumerate(output.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0]:
            raise MedopsError(f"dpkg-query output line {number} is not <package> TAB <version>: {line!r}")
        status = parts[2].strip() if len(parts) > 2 else "ii"
        if status.startswith("i") or status.startswith("h"):
            installed[parts[0].split(":", 1)[0]] = parts[1]
    return installed


def parse_unit_packages(output: str) -> dict[str, frozenset[str]]:
    """Parse `medops-patch-restarts packages` ("<unit> TAB <package>" lines) into unit -> packages."""
    units: dict[str, set[str]] = {}
    for number, line in enumerate(output.splitlines(), start=1):
        if not line.strip():
            continue
        unit, sep, package = line.partition("\t")
        if not sep or not unit or not package:
            raise MedopsError(f"restart scan line {number} is not <unit> TAB <package>: {line!r}")
        units.setdefault(unit, set()).add(package.strip())
    return {unit: frozenset(packages) for unit, packages in units.items()}


def services_to_restart(units: dict[str, frozenset[str]], packages: set[str]) -> tuple[tuple[str, ...], bool]:
    """The services that map files of `packages` (sorted), and whether PID 1 (init.scope) does."""
    services = tuple(sorted(u for u, used in units.items() if u.endswith(".service") and used & packages))
    return services, bool(units.get("init.scope", frozenset()) & packages)
