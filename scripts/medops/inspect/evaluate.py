"""Findings: each host's data judged against its thresholds, with a recommendation for each.

A finding names its check (`insp.check.<id>` is its label), the subject it is about (a mount point, a unit,
a certificate, a database cluster, a stanza; empty for the host as a whole), a severity (ok, warning,
critical), the measured value, the threshold and what to do, the last three as translatable `Msg`s so the
record can be worded in English or Chinese at any time. A check of a component the host does not run is
`skipped` (severity ok) and says why.

What a host is declared to run comes from its medops local fact, i.e. from what the roles recorded they
installed (`declared_services`), plus the inventory's `inspection_services`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from medops.backup.info import BACKUP_TYPES, Stanza, summarize_stanza
from medops.backup.oncalendar import schedule_gaps
from medops.backup.restore_tests import RestoreTest
from medops.backup.review import CRITICAL_FACTOR, GRACE, Severity, worst
from medops.inspect.collect import Collected
from medops.inspect.parse import Cluster, HostData, LocalFact, Mount, Unit
from medops.inspect.thresholds import DEFAULTS, Limit, Thresholds
from medops.inspect.trend import Forecast
from medops.report.messages import Msg, msg

DAY = 86400.0
ESTATE_TZ = timezone(timedelta(hours=8), "CST")
BASE_UNITS = ("chrony.service", "ssh.service", "nftables.service")
MAX_LISTED = 8  # names listed in one measured value before "…"


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str
    severity: Severity
    measured: Msg
    threshold: Msg
    recommendation: Msg
    value: float | None = None  # the measured number the threshold applies to, when there is one
    skipped: bool = False


@dataclass(frozen=True)
class Service:
    unit: str
    declared_by: str  # the role that recorded it, or "inventory"
    state: Unit | None  # None: systemd knows no such unit on the host


@dataclass(frozen=True)
class Previous:
    """What the previous inspection of the same host saw."""

    clock: datetime  # the host's clock at that inspection
    boot_at: datetime | None


@dataclass(frozen=True)
class Deploy:
    version: str
    finished: str
    who: str


@dataclass(frozen=True)
class Context:
    now: datetime  # this machine's clock (UTC) at the run
    previous: Previous | None = None
    since: datetime | None = None  # journal errors are counted from here
    schedules: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # stanza → job → OnCalendar
    restore_tests: Sequence[RestoreTest] = ()
    deploys: Mapping[str, Deploy] = field(default_factory=dict)  # system → newest successful deploy
    forecasts: Mapping[str, Forecast] = field(default_factory=dict)  # mount point → forecast


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...]
    services: tuple[Service, ...]

    @property
    def severity(self) -> Severity:
        return worst(f.severity for f in self.findings)


# --- wording helpers ------------------------------------------------------------------------------------


def percent(ratio: float) -> str:
    """A share as text, one decimal below 10%: '85%', '7.5%'."""
    value = ratio * 100
    return f"{value:.1f}%" if value < 10 and value != 0 else f"{value:.0f}%"


def _level(value: float, unit: str) -> Msg:
    if unit == "ratio":
        return msg("insp.v.plain", value=percent(value))
    if unit in ("days", "hours", "minutes", "seconds"):
        factor = {"days": DAY, "hours": 3600.0, "minutes": 60.0, "seconds": 1.0}[unit]
        if unit == "seconds" and value < 60:
            return msg("insp.v.seconds", value=f"{value:g}")
        return msg("insp.v.duration", value_seconds=value * factor)
    return msg("insp.v.plain", value=f"{value:g}")


def limit_msg(limit: Limit, unit: str) -> Msg:
    """'warning at 80%, critical at 90%' (or 'below' for lower-is-worse limits), in the reader's language."""
    direction = "above" if limit.higher_is_worse else "below"
    params: dict[str, object] = {}
    if limit.warning is not None:
        params["warning"] = _level(limit.warning, unit)
    if limit.critical is not None:
        params["critical"] = _level(limit.critical, unit)
    if not params:
        return msg("insp.t.off")
    levels = "both" if len(params) == 2 else next(iter(params))
    return msg(f"insp.t.{direction}_{levels}", **params)


def _limit(thresholds: Thresholds, name: str) -> tuple[Limit, Msg]:
    limit = thresholds[name]
    return limit, limit_msg(limit, DEFAULTS[name].unit)


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" … (+{len(names) - MAX_LISTED})" if len(names) > MAX_LISTED else "")


def _ok() -> Msg:
    return msg("rec.ok")


def _stamp(moment: datetime) -> str:
    """A moment in the estate's time (Asia/Shanghai, UTC+8), as every report shows times."""
    return moment.astimezone(ESTATE_TZ).strftime("%Y-%m-%d %H:%M (UTC+8)")


def _skip(check: str, subject: str, component: str) -> Finding:
    return Finding(
        check,
        subject,
        Severity.OK,
        msg("insp.m.not_deployed", component=component),
        msg("insp.t.not_applicable"),
        _ok(),
        skipped=True,
    )


# --- declared services ----------------------------------------------------------------------------------


def _pgbackrest_units(data: Mapping[str, object] | None) -> list[str]:
    """The TLS server (repository and database hosts) and, on the repository host, each job's timer."""
    if data is None:
        return []
    mode = str(data.get("mode", ""))
    units = [] if mode == "restore" else ["pgbackrest-server.service"]
    timers = data.get("timers") if mode == "repository" else None
    for timer in timers if isinstance(timers, list) else []:
        parts = str(timer).split()  # "<stanza> <job> <OnCalendar...>", as the pgbackrest role records it
        if len(parts) >= 2:
            units.append(f"pgbackrest-{parts[0]}-{parts[1]}.timer")
    return units


def declared_services(fact: LocalFact | None, extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(unit, declared by) for what the host's roles recorded they installed, then the inventory's extras."""
    units: list[tuple[str, str]] = []

    def add(unit: str, role: str) -> None:
        if unit and unit not in (u for u, _ in units):
            units.append((unit, role))

    roles = fact.roles if fact else {}
    if "base" in roles:
        for unit in BASE_UNITS:
            add(unit, "base")
    postgresql = fact.data("postgresql") if fact else None
    if postgresql is not None:
        version, cluster = str(postgresql.get("version", "")), str(postgresql.get("cluster", "main"))
        if version:
            add(f"postgresql@{version}-{cluster}.service", "postgresql")
    for unit in _pgbackrest_units(fact.data("pgbackrest") if fact else None):
        add(unit, "pgbackrest")
    restic = fact.data("restic") if fact else None
    if restic is not None and restic.get("mode") == "client":
        add("restic-backup.timer", "restic")
    app = fact.data("app") if fact else None
    if app is not None and app.get("service"):
        add(f"{app['service']}.service", "app")
    if fact and "nginx" in roles:
        add("nginx.service", "nginx")
    for unit in extra:
        add(unit, "inventory")
    return units


# --- the checks -----------------------------------------------------------------------------------------


def _unreachable(collected: Collected) -> Finding:
    target = collected.target
    return Finding(
        "reachable",
        "",
        Severity.CRITICAL,
        msg("insp.m.unreachable", error=collected.error),
        msg("insp.t.reachable"),
        msg("insp.r.unreachable", connection=target.connection, command=" ".join(target.argv) or "-"),
    )


def _reachable(collected: Collected) -> Finding:
    return Finding(
        "reachable",
        "",
        Severity.OK,
        msg("insp.m.answered", seconds=f"{collected.seconds:.1f}", connection=collected.target.connection),
        msg("insp.t.reachable"),
        _ok(),
        value=collected.seconds,
    )


def _fact(data: HostData) -> Finding:
    fact = data.fact
    if fact is None:
        return Finding(
            "fact", "", Severity.WARNING, msg("insp.m.fact_missing"), msg("insp.t.fact"), msg("insp.r.fact")
        )
    if fact.problem:
        return Finding(
            "fact",
            "",
            Severity.WARNING,
            msg("insp.m.fact_bad", problem=fact.problem),
            msg("insp.t.fact"),
            msg("insp.r.fact"),
        )
    roles = ", ".join(sorted(fact.roles)) or "-"
    return Finding("fact", "", Severity.OK, msg("insp.m.fact_roles", roles=roles), msg("insp.t.fact"), _ok())


def _load(data: HostData, thresholds: Thresholds) -> list[Finding]:
    if data.cpu is None:
        return []
    cpu = data.cpu
    limit, expected = _limit(thresholds, "load_per_cpu")
    value = cpu.load15_per_cpu
    severity = limit.judge(value)
    measured = msg(
        "insp.m.load",
        load1=f"{cpu.load1:.2f}",
        load5=f"{cpu.load5:.2f}",
        load15=f"{cpu.load15:.2f}",
        cpus=cpu.count,
        per_cpu=f"{value:.2f}",
    )
    recommendation = msg("insp.r.load") if severity != Severity.OK else _ok()
    return [Finding("load", "", severity, measured, expected, recommendation, value)]


def _memory(data: HostData, thresholds: Thresholds) -> list[Finding]:
    memory = data.memory
    if memory is None:
        return []
    findings = []
    limit, expected = _limit(thresholds, "memory_used")
    ratio = memory.used_ratio
    severity = limit.judge(ratio)
    findings.append(
        Finding(
            "memory",
            "",
            severity,
            msg(
                "insp.m.used_of",
                percent=percent(ratio),
                used_bytes=memory.total - memory.available,
                total_bytes=memory.total,
            ),
            expected,
            msg("insp.r.memory") if severity != Severity.OK else _ok(),
            ratio,
        )
    )
    limit, expected = _limit(thresholds, "swap_used")
    swap_ratio = memory.swap_used_ratio
    if swap_ratio is None:
        findings.append(Finding("swap", "", Severity.OK, msg("insp.m.swap_none"), expected, _ok()))
    else:
        severity = limit.judge(swap_ratio)
        findings.append(
            Finding(
                "swap",
                "",
                severity,
                msg(
                    "insp.m.used_of",
                    percent=percent(swap_ratio),
                    used_bytes=memory.swap_used,
                    total_bytes=memory.swap_total,
                ),
                expected,
                msg("insp.r.swap") if severity != Severity.OK else _ok(),
                swap_ratio,
            )
        )
    return findings


def _mount_findings(mount: Mount, thresholds: Thresholds, forecast: Forecast | None) -> list[Finding]:
    findings = []
    where = mount.mountpoint
    limit, expected = _limit(thresholds, "disk_used")
    if mount.readonly:
        findings.append(
            Finding(
                "disk",
                where,
                Severity.OK,
                msg("insp.m.readonly", percent=percent(mount.used_ratio)),
                expected,
                _ok(),
                mount.used_ratio,
            )
        )
        return findings
    severity = limit.judge(mount.used_ratio)
    findings.append(
        Finding(
            "disk",
            where,
            severity,
            msg(
                "insp.m.disk",
                percent=percent(mount.used_ratio),
                used_bytes=mount.used,
                total_bytes=mount.size,
                free_bytes=mount.available,
            ),
            expected,
            msg("insp.r.disk", mount=where) if severity != Severity.OK else _ok(),
            mount.used_ratio,
        )
    )
    inode_ratio = mount.inode_ratio
    if inode_ratio is not None:
        limit, expected = _limit(thresholds, "inode_used")
        severity = limit.judge(inode_ratio)
        findings.append(
            Finding(
                "inodes",
                where,
                severity,
                msg("insp.m.inodes", percent=percent(inode_ratio), total=mount.inodes),
                expected,
                msg("insp.r.inodes", mount=where) if severity != Severity.OK else _ok(),
                inode_ratio,
            )
        )
    if forecast is not None:
        limit, expected = _limit(thresholds, "disk_days_until_full")
        if forecast.days_until_full is None:
            measured = (
                msg("insp.m.forecast_short", points=forecast.points)
                if forecast.points < 2
                else msg("insp.m.forecast_flat", points=forecast.points, growth_bytes=forecast.weekly_growth)
            )
            findings.append(Finding("disk_forecast", where, Severity.OK, measured, expected, _ok()))
        else:
            days = forecast.days_until_full
            severity = limit.judge(days)
            findings.append(
                Finding(
                    "disk_forecast",
                    where,
                    severity,
                    msg(
                        "insp.m.forecast",
                        days_seconds=days * DAY,
                        growth_bytes=forecast.weekly_growth,
                        points=forecast.points,
                    ),
                    expected,
                    msg("insp.r.forecast", mount=where, days=f"{days:.0f}")
                    if severity != Severity.OK
                    else _ok(),
                    days,
                )
            )
    return findings


def _disks(data: HostData, thresholds: Thresholds, context: Context) -> list[Finding]:
    findings: list[Finding] = []
    for mount in data.mounts:
        if thresholds.ignored(mount.mountpoint):
            continue
        findings += _mount_findings(mount, thresholds, context.forecasts.get(mount.mountpoint))
    return findings


def boot_time(data: HostData) -> datetime | None:
    if data.meta is None or data.uptime is None:
        return None
    return datetime.fromtimestamp(data.meta.now - data.uptime, UTC)


def _uptime(data: HostData, context: Context) -> list[Finding]:
    boot = boot_time(data)
    if boot is None or data.uptime is None:
        return []
    previous = context.previous
    rebooted = (
        previous is not None
        and previous.boot_at is not None
        and abs((boot - previous.boot_at).total_seconds()) > 120
        and boot > previous.boot_at
    )
    key = "insp.m.uptime_rebooted" if rebooted else "insp.m.uptime"
    return [
        Finding(
            "uptime",
            "",
            Severity.OK,
            msg(key, uptime_seconds=data.uptime, boot=_stamp(boot)),
            msg("insp.t.informational"),
            msg("insp.r.rebooted") if rebooted else _ok(),
            data.uptime,
        )
    ]


def _systemd(data: HostData, services: Sequence[Service]) -> list[Finding]:
    if not data.systemd:
        return [_skip("systemd", "", "systemd")]
    findings = []
    state = data.systemd
    severity = Severity.OK if state == "running" else Severity.WARNING
    findings.append(
        Finding(
            "systemd",
            "",
            severity,
            msg("insp.m.systemd", state=state),
            msg("insp.t.systemd"),
            msg("insp.r.systemd") if severity != Severity.OK else _ok(),
        )
    )
    declared = {s.unit for s in services}
    failed = [u for u in data.failed_units if u not in declared]  # declared ones are judged apart, below
    findings.append(
        Finding(
            "failed_units",
            "",
            Severity.WARNING if failed else Severity.OK,
            msg("insp.m.failed_units", count=len(failed), units=_listed(failed))
            if failed
            else msg("insp.m.none"),
            msg("insp.t.none_expected"),
            msg("insp.r.failed_units") if failed else _ok(),
            float(len(failed)),
        )
    )
    return findings


def _services(data: HostData, services: Sequence[Service]) -> list[Finding]:
    findings = []
    for service in services:
        unit, state = service.unit, service.state
        expected = (
            msg("insp.t.service_extra")
            if service.declared_by == "inventory"
            else msg("insp.t.service", role=service.declared_by)
        )
        if state is None or not state.installed:
            findings.append(
                Finding(
                    "service",
                    unit,
                    Severity.CRITICAL,
                    msg("insp.m.service_missing"),
                    expected,
                    msg("insp.r.service_missing", unit=unit),
                )
            )
            continue
        measured = msg(
            "insp.m.service_state", active=state.active, sub=state.sub, unit_file=state.unit_file or "-"
        )
        if not state.running:
            findings.append(
                Finding(
                    "service",
                    unit,
                    Severity.CRITICAL,
                    measured,
                    expected,
                    msg("insp.r.service_down", unit=unit),
                )
            )
        elif not state.enabled:
            findings.append(
                Finding(
                    "service",
                    unit,
                    Severity.WARNING,
                    measured,
                    expected,
                    msg("insp.r.service_disabled", unit=unit),
                )
            )
        else:
            findings.append(Finding("service", unit, Severity.OK, measured, expected, _ok()))
    return findings


def _time(data: HostData, thresholds: Thresholds) -> list[Finding]:
    limit, offset_limit = _limit(thresholds, "time_offset_seconds")
    expected = msg("insp.t.time", limits=offset_limit)
    declared = bool(data.fact and "base" in data.fact.roles)
    sync = data.time_sync
    if sync is None:
        if not declared:
            return [_skip("time_sync", "", "chrony")]
        return [
            Finding(
                "time_sync",
                "",
                Severity.CRITICAL,
                msg("insp.m.not_installed", component="chrony"),
                expected,
                msg("insp.r.chrony_missing"),
            )
        ]
    if sync.state == "not running":
        return [
            Finding(
                "time_sync",
                "",
                Severity.CRITICAL,
                msg("insp.m.time_not_running"),
                expected,
                msg("insp.r.time_down"),
            )
        ]
    if sync.state != "synchronised":
        return [
            Finding(
                "time_sync",
                "",
                Severity.CRITICAL,
                msg("insp.m.time_unsync", leap=sync.leap or "-"),
                expected,
                msg("insp.r.time_unsync"),
            )
        ]
    offset = sync.offset or 0.0
    severity = limit.judge(offset)
    return [
        Finding(
            "time_sync",
            "",
            severity,
            msg(
                "insp.m.time_sync",
                reference=sync.reference or "-",
                stratum=sync.stratum or "-",
                offset=f"{offset:.6f}",
            ),
            expected,
            msg("insp.r.time_offset", offset=f"{offset:.3f}") if severity != Severity.OK else _ok(),
            offset,
        )
    ]


def _reboot(data: HostData) -> Finding:
    reboot = data.reboot
    if not reboot.required:
        return Finding("reboot", "", Severity.OK, msg("insp.m.reboot_not"), msg("insp.t.reboot"), _ok())
    packages = _listed(list(reboot.packages)) or "-"
    return Finding(
        "reboot",
        "",
        Severity.WARNING,
        msg("insp.m.reboot_required", packages=packages),
        msg("insp.t.reboot"),
        msg("insp.r.reboot", packages=packages),
    )


def _updates(data: HostData, thresholds: Thresholds, now: datetime) -> list[Finding]:
    updates = data.updates
    if updates is None:
        return [_skip("pending_updates", "", "apt")]
    findings = []
    lists_limit, lists_expected = _limit(thresholds, "package_lists_age_days")
    if data.apt_lists_at is None:
        findings.append(
            Finding(
                "package_lists",
                "",
                Severity.WARNING,
                msg("insp.m.lists_none"),
                lists_expected,
                msg("insp.r.lists_stale"),
            )
        )
    else:
        age = (now - data.apt_lists_at).total_seconds()
        severity = lists_limit.judge(age / DAY)
        findings.append(
            Finding(
                "package_lists",
                "",
                severity,
                msg("insp.m.lists_age", age_seconds=max(age, 0)),
                lists_expected,
                msg("insp.r.lists_stale") if severity != Severity.OK else _ok(),
                age / DAY,
            )
        )
    if updates.error:
        findings.append(
            Finding(
                "pending_updates",
                "",
                Severity.WARNING,
                msg("insp.m.updates_error", error=updates.error),
                msg("insp.t.updates_simulated"),
                msg("insp.r.updates_error"),
            )
        )
        return findings
    security = [p.package for p in updates.security]
    limit, expected = _limit(thresholds, "security_updates")
    severity = limit.judge(len(security))
    findings.append(
        Finding(
            "security_updates",
            "",
            severity,
            msg("insp.m.security_updates", count=len(security), packages=_listed(security))
            if security
            else msg("insp.m.none"),
            expected,
            msg("insp.r.security_updates") if severity != Severity.OK else _ok(),
            float(len(security)),
        )
    )
    limit, expected = _limit(thresholds, "pending_updates")
    count = len(updates.pending)
    severity = limit.judge(count)
    findings.append(
        Finding(
            "pending_updates",
            "",
            severity,
            msg("insp.m.updates", count=count, security=len(security)),
            expected,
            msg("insp.r.pending_updates") if severity != Severity.OK else _ok(),
            float(count),
        )
    )
    return findings


def _patch(data: HostData, thresholds: Thresholds, now: datetime) -> Finding:
    limit, expected = _limit(thresholds, "days_since_patch")
    patched = data.fact.last_patched if data.fact else None
    if patched is None:
        return Finding(
            "last_patch",
            "",
            Severity.OK,
            msg("insp.m.never_patched"),
            expected,
            msg("insp.r.never_patched"),
            skipped=True,
        )
    days = (now - patched).total_seconds() / DAY
    severity = limit.judge(days)
    return Finding(
        "last_patch",
        "",
        severity,
        msg("insp.m.patched", days=f"{max(days, 0):.0f}", date=patched.date().isoformat()),
        expected,
        msg("insp.r.patch_old") if severity != Severity.OK else _ok(),
        days,
    )


def _certificates(data: HostData, thresholds: Thresholds, now: datetime) -> list[Finding]:
    findings = []
    limit, expected = _limit(thresholds, "certificate_days_left")
    seen = set()
    for cert in data.certificates:
        subject = f"{cert.path}#{cert.index}" if cert.index > 1 else cert.path
        seen.add(cert.path)
        if cert.not_after is None:
            findings.append(
                Finding(
                    "certificate",
                    subject,
                    Severity.CRITICAL,
                    msg("insp.m.cert_error", error=cert.error or "-"),
                    expected,
                    msg("insp.r.cert_error", path=cert.path),
                )
            )
            continue
        left = (cert.not_after - now).total_seconds()
        days = left / DAY
        severity = limit.judge(days)
        name = cert.subject or "-"
        measured = (
            msg("insp.m.cert_expired", subject=name, date=_stamp(cert.not_after), ago_seconds=-left)
            if left <= 0
            else msg("insp.m.cert", subject=name, date=_stamp(cert.not_after), left_seconds=left)
        )
        if left <= 0:
            severity = Severity.CRITICAL
        findings.append(
            Finding(
                "certificate",
                subject,
                severity,
                measured,
                expected,
                msg("insp.r.cert", path=cert.path) if severity != Severity.OK else _ok(),
                days,
            )
        )
    nginx = data.fact.data("nginx") if data.fact else None
    wanted = str(nginx.get("certificate", "")) if nginx else ""
    if wanted and wanted not in seen:
        findings.append(
            Finding(
                "certificate",
                wanted,
                Severity.CRITICAL,
                msg("insp.m.cert_missing", path=wanted),
                expected,
                msg("insp.r.cert", path=wanted),
            )
        )
    return findings


def _journal(data: HostData, thresholds: Thresholds, context: Context) -> list[Finding]:
    journal = data.journal
    since = _stamp(context.since) if context.since else "-"
    limit, expected = _limit(thresholds, "journal_errors")
    if journal is None or not journal.available:
        reason = journal.reason if journal else "-"
        return [
            Finding(
                "journal_errors",
                "",
                Severity.OK,
                msg("insp.m.journal_unavailable", reason=reason),
                expected,
                _ok(),
                skipped=True,
            )
        ]
    top = ", ".join(f"{name} ({count})" for name, count in journal.by_identifier[:5])
    severity = limit.judge(journal.total)
    measured = (
        msg("insp.m.journal", total=journal.total, since=since, top=top)
        if journal.total
        else msg("insp.m.journal_none", since=since)
    )
    return [
        Finding(
            "journal_errors",
            "",
            severity,
            measured,
            expected,
            msg(
                "insp.r.journal",
                since=f"@{int(context.since.timestamp())}" if context.since else "-7d",
                top=top or "-",
            )
            if severity != Severity.OK
            else _ok(),
            float(journal.total),
        )
    ]


def _cluster_findings(cluster: Cluster, thresholds: Thresholds, now: datetime) -> list[Finding]:
    subject = cluster.id
    findings = []
    expected = msg("insp.t.pg_accepting")
    if not cluster.accepting:
        findings.append(
            Finding(
                "pg_accepting",
                subject,
                Severity.CRITICAL,
                msg(
                    "insp.m.pg_not_accepting",
                    code=cluster.isready if cluster.isready is not None else "-",
                    status=cluster.status,
                ),
                expected,
                msg("insp.r.pg_down", unit=cluster.service),
            )
        )
        return findings
    findings.append(
        Finding(
            "pg_accepting",
            subject,
            Severity.OK,
            msg("insp.m.pg_accepting", port=cluster.port, version=cluster.server_version or "-"),
            expected,
            _ok(),
        )
    )
    for error in cluster.errors[:3]:
        findings.append(
            Finding(
                "collection",
                f"postgresql {subject}",
                Severity.WARNING,
                msg("insp.m.problem", problem=error),
                msg("insp.t.collection"),
                msg("insp.r.collection"),
            )
        )
    usable = cluster.usable_connections
    if cluster.connections is not None and usable:
        limit, limits = _limit(thresholds, "pg_connections_used")
        ratio = cluster.connections / usable
        severity = limit.judge(ratio)
        findings.append(
            Finding(
                "pg_connections",
                subject,
                severity,
                msg(
                    "insp.m.pg_connections", count=cluster.connections, usable=usable, percent=percent(ratio)
                ),
                limits,
                msg("insp.r.pg_connections") if severity != Severity.OK else _ok(),
                ratio,
            )
        )
    if cluster.databases:
        total = sum(size for _, size in cluster.databases)
        from medops.report.labels import size as size_text

        listed = ", ".join(f"{name} {size_text(size)}" for name, size in cluster.databases)
        findings.append(
            Finding(
                "pg_databases",
                subject,
                Severity.OK,
                msg("insp.m.pg_databases", total_bytes=total, databases=listed),
                msg("insp.t.informational"),
                _ok(),
                float(total),
            )
        )
    findings += _archiver(cluster, thresholds, now)
    limit, limits = _limit(thresholds, "pg_transaction_minutes")
    if cluster.transactions:
        oldest = cluster.transactions[0]
        severity = limit.judge(oldest.age_seconds / 60)
        findings.append(
            Finding(
                "pg_transactions",
                subject,
                severity,
                msg(
                    "insp.m.pg_transactions",
                    age_seconds=oldest.age_seconds,
                    pid=oldest.pid,
                    user=oldest.user or "-",
                    database=oldest.database or "-",
                    state=oldest.state or "-",
                ),
                limits,
                msg("insp.r.pg_transactions", pid=oldest.pid) if severity != Severity.OK else _ok(),
                oldest.age_seconds / 60,
            )
        )
    elif cluster.connections is not None:
        findings.append(
            Finding(
                "pg_transactions",
                subject,
                Severity.OK,
                msg("insp.m.pg_transactions_none"),
                limits,
                _ok(),
                0.0,
            )
        )
    return findings


def _archiver(cluster: Cluster, thresholds: Thresholds, now: datetime) -> list[Finding]:
    archiver = cluster.archiver
    subject = cluster.id
    if archiver is None:
        return []
    limit, limits = _limit(thresholds, "pg_last_archived_hours")
    expected = msg("insp.t.pg_archiver", limits=limits)
    clock = cluster.now or now
    if archiver.mode == "off":
        return [
            Finding(
                "pg_archiver",
                subject,
                Severity.WARNING,
                msg("insp.m.pg_archiver_off", mode=archiver.mode),
                expected,
                msg("insp.r.pg_archiver_off"),
            )
        ]
    reset = _stamp(archiver.stats_reset) if archiver.stats_reset else "-"
    if archiver.failing and archiver.last_failed_at is not None:
        archived = (
            msg("insp.m.ago", age_seconds=(clock - archiver.last_archived_at).total_seconds())
            if archiver.last_archived_at
            else msg("insp.m.never")
        )
        return [
            Finding(
                "pg_archiver",
                subject,
                Severity.CRITICAL,
                msg(
                    "insp.m.pg_archiver_failing",
                    failed_seconds=(clock - archiver.last_failed_at).total_seconds(),
                    wal=archiver.last_failed_wal or "-",
                    archived=archived,
                    count=archiver.failed_count,
                ),
                expected,
                msg("insp.r.pg_archiver_failing"),
            )
        ]
    if archiver.last_archived_at is None:
        return [
            Finding(
                "pg_archiver",
                subject,
                Severity.WARNING,
                msg("insp.m.pg_archiver_never", reset=reset),
                expected,
                msg("insp.r.pg_archiver_age", age=msg("insp.m.never")),
            )
        ]
    age = (clock - archiver.last_archived_at).total_seconds()
    severity = limit.judge(age / 3600)
    return [
        Finding(
            "pg_archiver",
            subject,
            severity,
            msg(
                "insp.m.pg_archiver_ok",
                age_seconds=max(age, 0),
                wal=archiver.last_archived_wal or "-",
                failed=archiver.failed_count,
                reset=reset,
            ),
            expected,
            msg("insp.r.pg_archiver_age", age=msg("insp.v.duration", value_seconds=max(age, 0)))
            if severity != Severity.OK
            else _ok(),
            age / 3600,
        )
    ]


def _postgresql(data: HostData, thresholds: Thresholds, now: datetime) -> list[Finding]:
    declared = data.fact is not None and "postgresql" in data.fact.roles
    # None: not installed; (): installed without a cluster (a restore host keeps only the binaries).
    if not data.postgresql:
        if declared:
            return [
                Finding(
                    "pg_accepting",
                    "",
                    Severity.CRITICAL,
                    msg("insp.m.not_installed", component="PostgreSQL"),
                    msg("insp.t.pg_accepting"),
                    msg("insp.r.converge"),
                )
            ]
        return [_skip("pg_accepting", "", "PostgreSQL")]
    findings: list[Finding] = []
    for cluster in data.postgresql:
        findings += _cluster_findings(cluster, thresholds, now)
    return findings


def _age_limit(
    thresholds: Thresholds, schedules: Mapping[str, str], job: str, fallback: str
) -> tuple[Limit, Msg] | None:
    """From the backup policy's schedule when it has one (as the review judges), else the inventory limit.

    None when the policy lists the stanza but schedules no such job (e.g. no incrementals).
    """
    expression = schedules.get(job)
    if expression:
        gaps = schedule_gaps(expression)
        if gaps is not None:
            hours = gaps.longest.total_seconds() / 3600
            limit = Limit(hours * GRACE, hours * GRACE * CRITICAL_FACTOR)
            return limit, msg(
                "insp.t.schedule",
                limits=limit_msg(limit, "hours"),
                schedule=expression,
                gap_seconds=gaps.longest.total_seconds(),
            )
    if schedules and job not in schedules:
        return None
    limit, limits = _limit(thresholds, fallback)
    return limit, msg("insp.t.inventory_limit", limits=limits, name=fallback)


def _stanza_findings(
    stanza: Stanza, data: HostData, thresholds: Thresholds, context: Context, now: datetime
) -> list[Finding]:
    name = stanza.name
    schedules = context.schedules.get(name, {})
    findings = []
    status_ok = stanza.ok
    findings.append(
        Finding(
            "backup_stanza",
            name,
            Severity.OK if status_ok else Severity.CRITICAL,
            msg("msg.status", code=stanza.status_code, message=stanza.status_message),
            msg("msg.status_expected"),
            _ok() if status_ok else msg("rec.status", stanza=name),
        )
    )
    summary = summarize_stanza(stanza, now)
    for backup_type in BACKUP_TYPES:
        judged = _age_limit(thresholds, schedules, backup_type, f"backup_{backup_type}_age_hours")
        if judged is None:
            continue
        limit, expected = judged
        newest = summary.newest.get(backup_type)
        kind = f"type.{backup_type}"
        if newest is None:
            findings.append(
                Finding(
                    f"backup_{backup_type}",
                    name,
                    Severity.CRITICAL,
                    msg("msg.none_found"),
                    expected,
                    msg("rec.age_none", kind_label=kind),
                )
            )
            continue
        hours = newest.age.total_seconds() / 3600
        severity = limit.judge(hours)
        findings.append(
            Finding(
                f"backup_{backup_type}",
                name,
                severity,
                msg("msg.age", age_seconds=max(newest.age.total_seconds(), 0), label=newest.backup.label),
                expected,
                msg("rec.age_overdue", kind_label=kind) if severity != Severity.OK else _ok(),
                hours,
            )
        )
    findings.append(
        _verify(name, data.units.get(f"pgbackrest-{name}-verify.service"), thresholds, schedules, now)
    )
    findings.append(_restore(name, thresholds, schedules, context.restore_tests, now))
    return findings


def _verify(
    stanza: str, unit: Unit | None, thresholds: Thresholds, schedules: Mapping[str, str], now: datetime
) -> Finding:
    judged = _age_limit(thresholds, schedules, "verify", "backup_verify_age_hours")
    limit, limits = judged if judged else _limit(thresholds, "backup_verify_age_hours")
    expected = msg("insp.t.verify", limits=limits)
    if unit is None or not unit.installed:
        return Finding(
            "backup_verify",
            stanza,
            Severity.WARNING,
            msg("insp.m.verify_missing"),
            expected,
            msg("insp.r.verify_missing"),
        )
    if unit.exited_at is None:
        return Finding(
            "backup_verify",
            stanza,
            Severity.WARNING,
            msg("insp.m.verify_never"),
            expected,
            msg("insp.r.verify_old", stanza=stanza),
        )
    age = (now - unit.exited_at).total_seconds()
    measured = msg(
        "insp.m.verify",
        result=unit.result or "-",
        age_seconds=max(age, 0),
        status=unit.exit_status if unit.exit_status is not None else "-",
    )
    if unit.result not in ("success", "") or (unit.exit_status or 0) != 0:
        return Finding(
            "backup_verify",
            stanza,
            Severity.CRITICAL,
            measured,
            expected,
            msg("insp.r.verify_failed", stanza=stanza),
        )
    severity = limit.judge(age / 3600)
    return Finding(
        "backup_verify",
        stanza,
        severity,
        measured,
        expected,
        msg("insp.r.verify_old", stanza=stanza) if severity != Severity.OK else _ok(),
        age / 3600,
    )


def _restore(
    stanza: str,
    thresholds: Thresholds,
    schedules: Mapping[str, str],
    tests: Sequence[RestoreTest],
    now: datetime,
) -> Finding:
    expression = schedules.get("restore_test")
    gaps = schedule_gaps(expression) if expression else None
    if gaps is not None:
        days = gaps.longest.total_seconds() / DAY
        limit = Limit(days * GRACE, days * GRACE * CRITICAL_FACTOR)
        limits = msg(
            "insp.t.schedule",
            limits=limit_msg(limit, "days"),
            schedule=expression,
            gap_seconds=gaps.longest.total_seconds(),
        )
    else:
        limit, inventory = _limit(thresholds, "restore_test_age_days")
        limits = msg("insp.t.inventory_limit", limits=inventory, name="restore_test_age_days")
    expected = msg("insp.t.restore", limits=limits)
    mine = [t for t in tests if t.system == stanza]
    if not mine:
        return Finding(
            "restore_test",
            stanza,
            Severity.WARNING,
            msg("msg.restore_never"),
            expected,
            msg("rec.restore_none"),
        )
    newest = max(mine, key=lambda t: t.started_at)
    age = (now - newest.finished_at).total_seconds()
    measured = msg(
        "insp.m.restore",
        outcome_label=f"outcome.{newest.outcome}",
        age_seconds=max(age, 0),
        date=newest.started_at.date().isoformat(),
        record=newest.source,
    )
    if not newest.passed:
        return Finding(
            "restore_test", stanza, Severity.CRITICAL, measured, expected, msg("rec.restore_failed")
        )
    severity = limit.judge(age / DAY)
    return Finding(
        "restore_test",
        stanza,
        severity,
        measured,
        expected,
        msg("rec.restore_overdue") if severity != Severity.OK else _ok(),
        age / DAY,
    )


def _pgbackrest(data: HostData, thresholds: Thresholds, context: Context, now: datetime) -> list[Finding]:
    fact = data.fact.data("pgbackrest") if data.fact else None
    repository = fact is not None and fact.get("mode") == "repository"
    if data.pgbackrest is None:
        if repository:
            return [
                Finding(
                    "backup_stanza",
                    "",
                    Severity.CRITICAL,
                    msg("insp.m.not_installed", component="pgBackRest"),
                    msg("msg.status_expected"),
                    msg("insp.r.converge"),
                )
            ]
        return [_skip("backup_stanza", "", "pgBackRest repository")]
    if data.pgbackrest_error:
        return [
            Finding(
                "backup_stanza",
                "",
                Severity.CRITICAL,
                msg("insp.m.pgbackrest_error", error=data.pgbackrest_error),
                msg("msg.status_expected"),
                msg("insp.r.pgbackrest_error"),
            )
        ]
    findings: list[Finding] = []
    found = {s.name for s in data.pgbackrest}
    for stanza in data.pgbackrest:
        findings += _stanza_findings(stanza, data, thresholds, context, now)
    expected_stanzas = [str(s) for s in (fact.get("stanzas") or [])] if repository and fact else []
    for name in expected_stanzas:
        if name not in found:
            findings.append(
                Finding(
                    "backup_stanza",
                    name,
                    Severity.CRITICAL,
                    msg("msg.stanza_missing", stanza=name),
                    msg("msg.status_expected"),
                    msg("rec.stanza_missing", stanza=name),
                )
            )
    return findings


def _app(data: HostData, context: Context) -> list[Finding]:
    app = data.fact.data("app") if data.fact else None
    if app is None:
        if data.health is None:
            return [_skip("app_health", "", "application")]
        app = {}
    system = str(app.get("system", ""))
    findings = []
    health = data.health
    expected = msg("insp.t.health")
    service = str(app.get("service") or f"{system}-app")
    if health is None:
        findings.append(
            Finding(
                "app_health",
                system,
                Severity.WARNING,
                msg("insp.m.health_no_site"),
                expected,
                msg("insp.r.health", service=service),
            )
        )
    elif health.code == 0:
        findings.append(
            Finding(
                "app_health",
                system,
                Severity.CRITICAL,
                msg("insp.m.health_none", error=health.error or "-"),
                expected,
                msg("insp.r.health", service=service),
            )
        )
    else:
        body = health.body or {}
        if health.ok:
            findings.append(
                Finding(
                    "app_health",
                    system,
                    Severity.OK,
                    msg(
                        "insp.m.health_ok",
                        code=health.code,
                        version=str(body.get("version", "-")),
                        schema=str(body.get("schema_version", "-")),
                        database=str(body.get("database", "-")),
                    ),
                    expected,
                    _ok(),
                )
            )
        else:
            reason = str(body.get("reason") or body.get("error") or body.get("status") or "-")
            findings.append(
                Finding(
                    "app_health",
                    system,
                    Severity.CRITICAL,
                    msg("insp.m.health_bad", code=health.code, reason=reason),
                    expected,
                    msg("insp.r.health", service=service),
                )
            )
    recorded = str(app.get("release", ""))
    serving = str((health.body or {}).get("version", "")) if health and health.body else ""
    deploy = context.deploys.get(system)
    deployed = (
        msg("insp.m.deployed", version=deploy.version, finished=deploy.finished, who=deploy.who)
        if deploy
        else msg("insp.m.no_deploy_record")
    )
    if recorded and serving and recorded != serving:
        findings.append(
            Finding(
                "app_version",
                system,
                Severity.WARNING,
                msg("insp.m.version_mismatch", serving=serving, recorded=recorded, deployed=deployed),
                msg("insp.t.version"),
                msg("insp.r.version_mismatch"),
            )
        )
    elif recorded or serving:
        findings.append(
            Finding(
                "app_version",
                system,
                Severity.OK,
                msg("insp.m.version", version=serving or recorded, deployed=deployed),
                msg("insp.t.version"),
                _ok(),
            )
        )
    return findings


def services_of(data: HostData, thresholds: Thresholds) -> tuple[Service, ...]:
    return tuple(
        Service(unit, role, data.units.get(unit))
        for unit, role in declared_services(data.fact, thresholds.services)
    )


def assess(
    collected: Collected, data: HostData | None, thresholds: Thresholds, context: Context
) -> Assessment:
    """Every finding of one host (only `reachable` when it could not be reached)."""
    if data is None or (collected.error and data.meta is None):
        return Assessment((_unreachable(collected),), ())
    now = context.now
    services = services_of(data, thresholds)
    findings: list[Finding] = [_unreachable(collected) if collected.error else _reachable(collected)]
    for problem in data.problems:
        findings.append(
            Finding(
                "collection",
                "",
                Severity.WARNING,
                msg("insp.m.problem", problem=problem),
                msg("insp.t.collection"),
                msg("insp.r.collection"),
            )
        )
    findings.append(_fact(data))
    findings += _uptime(data, context)
    findings += _load(data, thresholds)
    findings += _memory(data, thresholds)
    findings += _disks(data, thresholds, context)
    findings += _systemd(data, services)
    findings += _services(data, services)
    findings += _time(data, thresholds)
    findings.append(_reboot(data))
    findings += _updates(data, thresholds, now)
    findings.append(_patch(data, thresholds, now))
    findings += _certificates(data, thresholds, now)
    findings += _journal(data, thresholds, context)
    findings += _postgresql(data, thresholds, now)
    findings += _pgbackrest(data, thresholds, context, now)
    findings += _app(data, context)
    return Assessment(tuple(findings), services)
