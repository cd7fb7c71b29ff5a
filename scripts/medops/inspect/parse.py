"""Pure parsers: the collection script's output (collect.sh), one section at a time, into typed data.

Nothing here runs a command or reads a clock: every function takes text (and, where a section's meaning
depends on it, the section's exit status) and returns data. Tests feed them recorded output
(tests/data/inspect/). A section that is absent from the output, or whose exit status is 3, is a component
the host does not have; parsers say so with `present=False` or None rather than guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from medops.backup.info import Stanza, parse_info
from medops.errors import MedopsError

ABSENT = 3  # the collection script's exit status for "not on this host"
_MARKER = re.compile(r"^==MEDOPS (?P<nonce>\S+) (?P<edge>begin|end) (?P<name>[a-z]+)(?: (?P<rc>\d+))?$")


class ParseError(ValueError):
    """Output that does not have the shape its command prints; the message says what was expected."""


# --- sections -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    text: str
    rc: int

    @property
    def absent(self) -> bool:
        return self.rc == ABSENT


def split_sections(output: str, nonce: str) -> dict[str, Section]:
    """The sections of one host's output, by name. Lines outside any section are ignored.

    A section that began but never ended (the script was cut off) is left out: its data is incomplete.
    """
    sections: dict[str, Section] = {}
    name: str | None = None
    lines: list[str] = []
    for line in output.splitlines():
        match = _MARKER.match(line)
        if not match or match["nonce"] != nonce:
            if name is not None:
                lines.append(line)
            continue
        if match["edge"] == "begin":
            name, lines = match["name"], []
        elif name is not None and name == match["name"] and match["rc"] is not None:
            # The script prints a newline before the end marker; drop that one empty line.
            if lines and lines[-1] == "":
                lines.pop()
            sections[name] = Section(name, "\n".join(lines), int(match["rc"]))
            name = None
    return sections


def _key_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value
    return values


# --- system ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    now: int  # the host's clock, seconds since the epoch
    hostname: str
    uid: int
    kernel: str
    os_id: str
    os_version: str
    os_pretty: str
    curl: bool


def parse_meta(text: str) -> Meta:
    values = _key_values(text)
    try:
        now, uid = int(values["now"]), int(values["uid"])
    except (KeyError, ValueError):
        raise ParseError("meta: expected now=<epoch> and uid=<number>") from None
    return Meta(
        now=now,
        hostname=values.get("hostname", ""),
        uid=uid,
        kernel=values.get("kernel", ""),
        os_id=values.get("os_id", ""),
        os_version=values.get("os_version", ""),
        os_pretty=values.get("os_pretty", ""),
        curl=values.get("curl") == "yes",
    )


@dataclass(frozen=True)
class Cpu:
    count: int
    load1: float
    load5: float
    load15: float

    @property
    def load15_per_cpu(self) -> float:
        return self.load15 / self.count


def parse_cpu(text: str) -> Cpu:
    """Two lines: the number of online CPUs, then /proc/loadavg."""
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        count = int(lines[0])
        load1, load5, load15 = (float(v) for v in lines[1].split()[:3])
    except (IndexError, ValueError):
        raise ParseError("cpu: expected the CPU count, then /proc/loadavg") from None
    if count < 1:
        raise ParseError(f"cpu: {count} CPUs")
    return Cpu(count, load1, load5, load15)


@dataclass(frozen=True)
class Memory:
    total: int  # bytes
    available: int
    swap_total: int
    swap_free: int

    @property
    def used_ratio(self) -> float:
        return (self.total - self.available) / self.total if self.total else 0.0

    @property
    def swap_used(self) -> int:
        return self.swap_total - self.swap_free

    @property
    def swap_used_ratio(self) -> float | None:
        """None on a host without swap."""
        return self.swap_used / self.swap_total if self.swap_total else None


def parse_meminfo(text: str) -> Memory:
    """/proc/meminfo (values in kB); MemAvailable is what the kernel can give without swapping."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    try:
        return Memory(values["MemTotal"], values["MemAvailable"], values["SwapTotal"], values["SwapFree"])
    except KeyError as missing:
        raise ParseError(f"meminfo: no {missing.args[0]} line") from None


def parse_uptime(text: str) -> float:
    """/proc/uptime: seconds since boot (first field)."""
    try:
        return float(text.split(maxsplit=1)[0])
    except (IndexError, ValueError):
        raise ParseError("uptime: expected /proc/uptime") from None


@dataclass(frozen=True)
class Mount:
    """One file system as df sees it, with its inode use and whether it is mounted read-only."""

    mountpoint: str
    source: str
    fstype: str
    size: int  # bytes
    used: int
    available: int
    inodes: int | None = None  # None: the file system has no fixed inode count (btrfs, some tmpfs)
    inodes_used: int | None = None
    readonly: bool = False

    @property
    def used_ratio(self) -> float:
        """As df's Use%: used / (used + available), so root's reserved blocks count as full."""
        usable = self.used + self.available
        return self.used / usable if usable else 0.0

    @property
    def inode_ratio(self) -> float | None:
        if not self.inodes or self.inodes_used is None:
            return None
        return self.inodes_used / self.inodes


def _df_rows(text: str, what: str) -> list[tuple[str, str, int, int, int, str]]:
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] == "Filesystem":
            continue
        if len(parts) < 7:
            raise ParseError(f"{what}: short line {line!r}")
        try:
            numbers = [0 if p == "-" else int(p) for p in parts[2:5]]
        except ValueError:
            raise ParseError(f"{what}: not numbers in {line!r}") from None
        rows.append((parts[0], parts[1], numbers[0], numbers[1], numbers[2], " ".join(parts[6:])))
    return rows


def parse_df(text: str) -> list[Mount]:
    """`df -PT -B1`: source, type, size, used, available (bytes), capacity, mount point."""
    return [
        Mount(m, source, fstype, size, used, free)
        for source, fstype, size, used, free, m in _df_rows(text, "df")
    ]


def parse_df_inodes(text: str) -> dict[str, tuple[int, int]]:
    """`df -PTi`: inodes and inodes used by mount point; file systems without an inode count are left out."""
    return {m: (total, used) for _, _, total, used, _, m in _df_rows(text, "df -i") if total > 0}


def _unescape_mount(path: str) -> str:
    """/proc/self/mounts writes space, tab, newline and backslash as octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), path)


def parse_mounts(text: str) -> dict[str, tuple[str, ...]]:
    """/proc/self/mounts: mount options by mount point (the last mount of a point wins, as in the kernel)."""
    options: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            options[_unescape_mount(parts[1])] = tuple(parts[3].split(","))
    return options


def combine_mounts(
    mounts: list[Mount], inodes: Mapping[str, tuple[int, int]], options: Mapping[str, tuple[str, ...]]
) -> list[Mount]:
    """df's mounts with their inode counts and read-only flag."""
    combined = []
    for mount in mounts:
        total, used = inodes.get(mount.mountpoint, (None, None))
        readonly = "ro" in options.get(mount.mountpoint, ())
        combined.append(
            Mount(
                mount.mountpoint,
                mount.source,
                mount.fstype,
                mount.size,
                mount.used,
                mount.available,
                total,
                used,
                readonly,
            )
        )
    return combined


# --- the medops local fact ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleFact:
    version: str
    applied_at: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class LocalFact:
    """/etc/ansible/facts.d/medops.fact: what each medops role applied to the host."""

    environment: str
    roles: Mapping[str, RoleFact]
    last_patched: datetime | None  # from a `last_patched` key, when the patch job has recorded one
    problem: str = ""  # set when the file exists but cannot be read as the fact

    def data(self, role: str) -> Mapping[str, Any] | None:
        entry = self.roles.get(role)
        return entry.data if entry else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_fact(text: str) -> LocalFact:
    """The fact's JSON. `last_patched` is read at the top level or in any role's data (newest wins)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return LocalFact("", {}, None, f"not JSON: {exc.msg} (line {exc.lineno})")
    if not isinstance(data, dict):
        return LocalFact("", {}, None, "not a JSON object")
    roles: dict[str, RoleFact] = {}
    raw_roles = data.get("roles")
    patched: list[datetime] = []
    top = _moment(data.get("last_patched"))
    if top:
        patched.append(top)
    if isinstance(raw_roles, dict):
        for name, entry in raw_roles.items():
            if not isinstance(entry, dict):
                continue
            raw_data = entry.get("data")
            role_data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
            roles[str(name)] = RoleFact(
                str(entry.get("version", "")), str(entry.get("applied_at", "")), role_data
            )
            moment = _moment(role_data.get("last_patched"))
            if moment:
                patched.append(moment)
    return LocalFact(str(data.get("environment", "")), roles, max(patched) if patched else None)


# --- systemd --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    name: str
    load: str  # loaded | not-found | masked | error
    active: str  # active | inactive | failed | activating ...
    sub: str  # running | exited | dead | waiting ...
    unit_file: str  # enabled | disabled | static | masked | "" (no unit file)
    result: str = ""  # success | exit-code | timeout ... (of the last run)
    exit_status: int | None = None
    exited_at: datetime | None = None  # when the main process last exited (oneshot jobs: the last run)

    @property
    def installed(self) -> bool:
        return self.load not in ("not-found", "")

    @property
    def running(self) -> bool:
        return self.active == "active"

    @property
    def enabled(self) -> bool:
        return self.unit_file in ("enabled", "enabled-runtime", "alias", "static", "indirect", "generated")


def _unix_timestamp(value: str) -> datetime | None:
    """`systemctl show --timestamp=unix` writes @<epoch>; empty or n/a means never."""
    if not value.startswith("@"):
        return None
    try:
        return datetime.fromtimestamp(int(value[1:]), UTC)
    except ValueError:
        return None


def parse_units(text: str) -> dict[str, Unit]:
    """`systemctl show -p ... <units>`: a block of key=value lines per unit, blocks apart by a blank line."""
    units: dict[str, Unit] = {}
    for block in re.split(r"\n\s*\n", text.strip()):
        values = _key_values(block)
        name = values.get("Id")
        if not name:
            continue
        status = values.get("ExecMainStatus", "")
        units[name] = Unit(
            name=name,
            load=values.get("LoadState", ""),
            active=values.get("ActiveState", ""),
            sub=values.get("SubState", ""),
            unit_file=values.get("UnitFileState", ""),
            result=values.get("Result", ""),
            exit_status=int(status) if status.isdigit() else None,
            exited_at=_unix_timestamp(values.get("ExecMainExitTimestamp", "")),
        )
    return units


def parse_failed_units(text: str) -> list[str]:
    """`systemctl list-units --failed --plain --no-legend`: the unit names (first column)."""
    names = []
    for line in text.splitlines():
        parts = line.split()
        if parts and "." in parts[0] and not parts[0].startswith(("Failed", "System")):
            names.append(parts[0].lstrip("●*"))
    return [n for n in names if n]


# --- time, reboot, updates, journal --------------------------------------------------------------------


@dataclass(frozen=True)
class TimeSync:
    """chrony's view of the clock. `state`: synchronised | unsynchronised | not running."""

    state: str
    offset: float | None = None  # seconds, absolute: how far the system clock is from NTP time
    stratum: int | None = None
    reference: str = ""
    leap: str = ""


def parse_chrony(text: str, rc: int) -> TimeSync:
    """`chronyc -n tracking`. chronyc prints `506 Cannot talk to daemon` when chronyd is not running."""
    values = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}
    if rc != 0 or "Leap status" not in values:
        return TimeSync("not running")
    leap = values["Leap status"]
    offset: float | None = None
    match = re.match(r"([0-9.]+) seconds (fast|slow)", values.get("System time", ""))
    if match:
        offset = float(match[1])
    stratum_text = values.get("Stratum", "")
    stratum = int(stratum_text) if stratum_text.isdigit() else None
    reference = values.get("Reference ID", "")
    synced = leap != "Not synchronised" and stratum not in (None, 0) and not reference.startswith("00000000")
    return TimeSync("synchronised" if synced else "unsynchronised", offset, stratum, reference, leap)


@dataclass(frozen=True)
class RebootRequired:
    required: bool
    packages: tuple[str, ...] = ()


def parse_reboot(text: str) -> RebootRequired:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "required":
        return RebootRequired(False)
    return RebootRequired(True, tuple(lines[1:]))


@dataclass(frozen=True)
class Pending:
    package: str
    installed: str  # "" for a new package
    candidate: str
    origin: str  # e.g. Debian-Security:12/stable-security

    @property
    def security(self) -> bool:
        return "-security" in self.origin.lower()


@dataclass(frozen=True)
class Updates:
    pending: tuple[Pending, ...]
    error: str = ""  # apt-get's own E: line when the simulation failed

    @property
    def security(self) -> tuple[Pending, ...]:
        return tuple(p for p in self.pending if p.security)


_INST = re.compile(
    r"^Inst (?P<pkg>\S+)(?: \[(?P<old>[^\]]+)\])? \((?P<new>\S+) (?P<origin>.*?)(?: \[[^\]]+\])?\)"
)


def parse_apt(text: str, rc: int) -> Updates:
    """`apt-get -s dist-upgrade`, its `Inst` lines, such as

    Inst libc6 [2.36-9+deb12u7] (2.36-9+deb12u9 Debian-Security:12/stable-security [amd64])
    """
    pending = []
    errors = []
    for line in text.splitlines():
        match = _INST.match(line)
        if match:
            pending.append(Pending(match["pkg"], match["old"] or "", match["new"], match["origin"]))
        elif line.startswith("E: "):
            errors.append(line[3:].strip())
    error = errors[0] if errors else ("" if rc == 0 else f"apt-get exited with {rc}")
    return Updates(tuple(pending), error)


def parse_apt_lists(text: str) -> int | None:
    """`stat -c '%Y %n'` of each Release file: the newest refresh of the package lists (epoch), or None."""
    newest: int | None = None
    for line in text.splitlines():
        first = line.split(" ", maxsplit=1)[0]
        if first.isdigit():
            newest = max(newest or 0, int(first))
    return newest


@dataclass(frozen=True)
class JournalErrors:
    available: bool
    total: int = 0
    by_identifier: tuple[tuple[str, int], ...] = ()  # most first
    reason: str = ""


def parse_journal(text: str, rc: int) -> JournalErrors:
    """The awk summary of `journalctl -p err -o json`: `total N`, then `<count> <identifier>` lines."""
    if rc == ABSENT:
        return JournalErrors(False, reason=text.strip() or "no journal")
    total: int | None = None
    counts: list[tuple[str, int]] = []
    for line in text.splitlines():
        first, _, rest = line.strip().partition(" ")
        if first == "total" and rest.strip().isdigit():
            total = int(rest)
        elif first.isdigit():
            counts.append((rest.strip() or "-", int(first)))
    if total is None:
        raise ParseError("journal: no total line")
    counts.sort(key=lambda item: (-item[1], item[0]))
    return JournalErrors(True, total, tuple(counts))


# --- certificates ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    path: str
    index: int  # position in the file (1: the first certificate, the server's own in a served chain)
    subject: str
    not_after: datetime | None
    error: str = ""


def parse_openssl_date(text: str) -> datetime:
    """openssl's `notAfter=Nov 22 10:00:00 2027 GMT` date (the day may be space-padded)."""
    try:
        return datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT").replace(tzinfo=UTC)
    except ValueError:
        raise ParseError(f"certificate date {text!r} is not like 'Nov 22 10:00:00 2027 GMT'") from None


def parse_certs(text: str) -> list[Certificate]:
    """`file=`, `index=`, then openssl's indented `subject=` and `notAfter=` (or its error) each."""
    certificates: list[Certificate] = []
    current: dict[str, str] = {}
    detail: list[str] = []

    def flush() -> None:
        if not current.get("file"):
            return
        error = current.get("error", "")
        not_after: datetime | None = None
        if "notAfter" in current:
            try:
                not_after = parse_openssl_date(current["notAfter"])
            except ParseError as exc:
                error = str(exc)
        elif not error:
            error = detail[0] if detail else "openssl could not read it"
        index = current.get("index", "1")
        certificates.append(
            Certificate(
                current["file"],
                int(index) if index.isdigit() else 1,
                current.get("subject", ""),
                not_after,
                error,
            )
        )

    for raw in text.splitlines():
        line = raw.strip()
        key, sep, value = line.partition("=")
        if raw.startswith("file="):
            flush()
            current, detail = {"file": value}, []
        elif sep and key in ("index", "error", "subject", "notAfter"):
            current[key] = value.strip()
        elif line:
            detail.append(line)
    flush()
    return certificates


# --- PostgreSQL -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archiver:
    mode: str  # archive_mode: on | off | always
    archived_count: int
    last_archived_wal: str
    last_archived_at: datetime | None
    failed_count: int
    last_failed_wal: str
    last_failed_at: datetime | None
    stats_reset: datetime | None

    @property
    def failing(self) -> bool:
        """The last attempt failed: the newest failure is newer than the newest success."""
        if self.last_failed_at is None:
            return False
        return self.last_archived_at is None or self.last_failed_at > self.last_archived_at


@dataclass(frozen=True)
class Transaction:
    pid: int
    user: str
    database: str
    state: str
    age_seconds: int


@dataclass(frozen=True)
class Cluster:
    """One PostgreSQL cluster as pg_lsclusters lists it, and what psql read from it while it ran."""

    id: str  # "15/main"
    port: int
    status: str  # online | down | online,recovery
    accepting: bool  # pg_isready answered 0
    isready: int | None = None
    server_version: str = ""
    now: datetime | None = None
    connections: int | None = None
    max_connections: int | None = None
    reserved_connections: int | None = None
    databases: tuple[tuple[str, int], ...] = ()
    archiver: Archiver | None = None
    transactions: tuple[Transaction, ...] = ()  # oldest first, at most 5
    errors: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        version, _, name = self.id.partition("/")
        return f"postgresql@{version}-{name}.service"

    @property
    def usable_connections(self) -> int | None:
        if self.max_connections is None:
            return None
        return self.max_connections - (self.reserved_connections or 0)


def _epoch_or_none(text: str) -> datetime | None:
    return datetime.fromtimestamp(int(text), UTC) if text.strip().lstrip("-").isdigit() else None


@dataclass
class _ClusterBuilder:
    id: str
    port: int
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    databases: list[tuple[str, int]] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def build(self) -> Cluster:
        isready = self.values.get("isready")
        return Cluster(
            id=self.id,
            port=self.port,
            status=self.status,
            accepting=isready == 0,
            isready=isready,
            server_version=self.values.get("server_version", ""),
            now=self.values.get("now"),
            connections=self.values.get("connections"),
            max_connections=self.values.get("max_connections"),
            reserved_connections=self.values.get("reserved"),
            databases=tuple(self.databases),
            archiver=self.values.get("archiver"),
            transactions=tuple(self.transactions),
            errors=tuple(self.errors),
        )


def _postgres_row(cluster: _ClusterBuilder, kind: str, fields: list[str]) -> None:
    if kind == "isready":
        cluster.values["isready"] = int(fields[0])
    elif kind == "now":
        cluster.values["now"] = _epoch_or_none(fields[0])
        cluster.values["server_version"] = fields[1] if len(fields) > 1 else ""
    elif kind == "connections":
        cluster.values["connections"] = int(fields[0])
        cluster.values["max_connections"] = int(fields[1])
        cluster.values["reserved"] = int(fields[2])
    elif kind == "database":
        cluster.databases.append((fields[0], int(fields[1])))
    elif kind == "archiver":
        cluster.values["archiver"] = Archiver(
            mode=fields[0],
            archived_count=int(fields[1]),
            last_archived_wal=fields[2],
            last_archived_at=_epoch_or_none(fields[3]),
            failed_count=int(fields[4]),
            last_failed_wal=fields[5],
            last_failed_at=_epoch_or_none(fields[6]),
            stats_reset=_epoch_or_none(fields[7]),
        )
    elif kind == "transaction":
        cluster.transactions.append(
            Transaction(int(fields[0]), fields[1], fields[2], fields[3], int(fields[4]))
        )


def parse_postgresql(text: str) -> list[Cluster]:
    """Tab-separated rows `<kind> <cluster> <fields>`; any other line is an error of the current cluster."""
    clusters: dict[str, _ClusterBuilder] = {}
    current: _ClusterBuilder | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        kind = parts[0]
        if kind == "cluster" and len(parts) >= 4:
            try:
                current = _ClusterBuilder(parts[1], int(parts[2]), parts[3])
            except ValueError:
                raise ParseError(f"postgresql: bad cluster line {line!r}") from None
            clusters[parts[1]] = current
            continue
        target = clusters.get(parts[1]) if len(parts) > 1 else None
        if target is None or kind not in (
            "isready",
            "now",
            "connections",
            "database",
            "archiver",
            "transaction",
        ):
            if current is not None:
                current.errors.append(line.strip())
            continue
        try:
            _postgres_row(target, kind, parts[2:])
        except (IndexError, ValueError):
            target.errors.append(f"unreadable {kind} row: {line.strip()}")
    return [c.build() for c in clusters.values()]


# --- the application's health check ----------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    tool: str  # curl | python3 | none
    code: int  # HTTP status; 0 when no answer
    body: Mapping[str, Any] | None  # the JSON the application answered, when it is JSON
    error: str = ""  # the client's error when there was no answer

    @property
    def ok(self) -> bool:
        return self.code == 200 and bool(self.body) and (self.body or {}).get("status") == "ok"


def parse_health(text: str) -> Health:
    """`tool=...`, the response body, `@@code=<status>`, `@@rc=<client exit status>`."""
    tool = "none"
    code = 0
    rc = 0
    body_lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("tool="):
            tool = line[5:].strip()
        elif line.startswith("@@code="):
            value = line[7:].strip()
            code = int(value) if value.isdigit() else 0
        elif line.startswith("@@rc="):
            value = line[5:].strip()
            rc = int(value) if value.isdigit() else 1
        else:
            body_lines.append(line)
    body_text = "\n".join(body_lines).strip()
    body: Mapping[str, Any] | None = None
    try:
        parsed = json.loads(body_text) if body_text else None
        body = parsed if isinstance(parsed, dict) else None
    except json.JSONDecodeError:
        body = None
    error = ""
    if tool == "none":
        error = "neither curl nor python3 on the host"
    elif code == 0:
        error = body_text.splitlines()[-1] if body_text else f"no answer (client exit status {rc})"
    return Health(tool, code, body, error)


# --- one host -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostData:
    """Everything one host's output says, parsed. None for a component the host does not have."""

    meta: Meta | None
    cpu: Cpu | None
    memory: Memory | None
    uptime: float | None  # seconds since boot
    mounts: tuple[Mount, ...]
    fact: LocalFact | None  # None: no /etc/ansible/facts.d/medops.fact (never converged by medops)
    systemd: str  # is-system-running: running, degraded ...; "" when systemd is not PID 1
    failed_units: tuple[str, ...]
    units: Mapping[str, Unit]
    time_sync: TimeSync | None  # None: chrony is not installed
    reboot: RebootRequired
    updates: Updates | None  # None: no apt-get
    apt_lists_at: datetime | None  # newest refresh of the package lists
    journal: JournalErrors | None
    certificates: tuple[Certificate, ...]
    postgresql: tuple[Cluster, ...] | None  # None: PostgreSQL is not installed
    pgbackrest: tuple[Stanza, ...] | None  # None: not a pgBackRest repository host
    pgbackrest_error: str
    health: Health | None  # None: no medops site in nginx
    problems: tuple[str, ...]  # sections missing or unreadable: the data above is incomplete


class _Reader:
    """Hands out sections by name, noting each one missing or unreadable as a problem."""

    def __init__(self, sections: Mapping[str, Section]) -> None:
        self.sections = sections
        self.problems: list[str] = []

    def get(self, name: str) -> Section | None:
        section = self.sections.get(name)
        if section is None:
            self.problems.append(f"section {name} is missing from the output (the script was cut off?)")
        return section

    def present(self, name: str) -> Section | None:
        """The section when the component is on the host (exit status not 3)."""
        section = self.get(name)
        return None if section is None or section.absent else section

    def parsed(self, name: str, parse: Callable[[Section], T]) -> T | None:
        section = self.get(name)
        if section is None:
            return None
        try:
            return parse(section)
        except ParseError as exc:
            self.problems.append(f"{name}: {exc}")
            return None


T = TypeVar("T")


def _mounts(reader: _Reader) -> list[Mount]:
    df = reader.parsed("df", lambda s: parse_df(s.text))
    inodes = reader.parsed("dfi", lambda s: parse_df_inodes(s.text)) or {}
    options = reader.parsed("mounts", lambda s: parse_mounts(s.text)) or {}
    return combine_mounts(df or [], inodes, options)


def _pgbackrest(section: Section | None) -> tuple[tuple[Stanza, ...] | None, str]:
    if section is None:
        return None, ""
    if section.rc != 0:
        lines = section.text.strip().splitlines()
        return (), lines[-1] if lines else f"pgbackrest info exited with {section.rc}"
    try:
        return parse_info(section.text), ""
    except MedopsError as exc:
        return (), str(exc)


def parse_host(output: str, nonce: str) -> HostData:
    """All sections of one host's output. A section that is missing or unreadable becomes a problem line."""
    reader = _Reader(split_sections(output, nonce))
    fact = reader.present("fact")
    systemd = reader.present("systemd")
    failed = reader.present("failed")
    units = reader.present("units")
    chrony = reader.present("chrony")
    apt = reader.present("apt")
    certs = reader.present("certs")
    postgresql = reader.present("postgresql")
    health = reader.present("health")
    lists_at = reader.parsed("aptlists", lambda s: parse_apt_lists(s.text))
    stanzas, pgbackrest_error = _pgbackrest(reader.present("pgbackrest"))
    clusters = reader.parsed("postgresql", lambda s: parse_postgresql(s.text)) if postgresql else None
    return HostData(
        meta=reader.parsed("meta", lambda s: parse_meta(s.text)),
        cpu=reader.parsed("cpu", lambda s: parse_cpu(s.text)),
        memory=reader.parsed("meminfo", lambda s: parse_meminfo(s.text)),
        uptime=reader.parsed("uptime", lambda s: parse_uptime(s.text)),
        mounts=tuple(_mounts(reader)),
        fact=parse_fact(fact.text) if fact else None,
        systemd=(systemd.text.strip().splitlines() or ["unknown"])[0] if systemd else "",
        failed_units=tuple(parse_failed_units(failed.text)) if failed else (),
        units=parse_units(units.text) if units else {},
        time_sync=parse_chrony(chrony.text, chrony.rc) if chrony else None,
        reboot=reader.parsed("reboot", lambda s: parse_reboot(s.text)) or RebootRequired(False),
        updates=parse_apt(apt.text, apt.rc) if apt else None,
        apt_lists_at=datetime.fromtimestamp(lists_at, UTC) if lists_at is not None else None,
        journal=reader.parsed("journal", lambda s: parse_journal(s.text, s.rc)),
        certificates=tuple(parse_certs(certs.text)) if certs else (),
        postgresql=tuple(clusters) if clusters is not None else None,
        pgbackrest=stanzas,
        pgbackrest_error=pgbackrest_error,
        health=parse_health(health.text) if health else None,
        problems=tuple(dict.fromkeys(reader.problems)),
    )
