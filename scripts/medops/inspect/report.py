"""The weekly inspection worded as a report: a Document (HTML, Markdown), data (JSON), and terminal lines.

Everything is built from the record (and the records before it, for trends), never from live hosts, so a
week can be reported again at any time, in English or Chinese: `medops inspect report --week 2026-W47
--lang zh-CN`. Every word a reader sees comes from the label dictionaries (medops.report.labels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from medops.backup.review import Severity
from medops.inspect.evaluate import Finding, percent
from medops.inspect.record import finding_from_data
from medops.inspect.thresholds import DEFAULTS
from medops.inspect.trend import Sample, forecast, host_samples
from medops.inspect.weeks import parse_week
from medops.report.document import Chart, Document, Facts, Paragraph, Section, Signature, Table
from medops.report.labels import duration, label, render, size
from medops.report.svg import LinePanel, Series, line_chart

SCHEMA = 1
ESTATE_TZ = timezone(timedelta(hours=8), "CST")  # the estate's hosts run on Asia/Shanghai time
HISTORY = 26  # weeks of history the charts show
RANK = {"unreachable": 3, "critical": 2, "warning": 1, "ok": 0}


@dataclass(frozen=True)
class Sources:
    record: str  # the record as a path in the repository, e.g. records/inspections/2026-W47.json
    version: str  # medops version that renders
    generated: datetime


def _local(text: object) -> str:
    if not isinstance(text, str) or not text:
        return "-"
    try:
        return datetime.fromisoformat(text).astimezone(ESTATE_TZ).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def _findings(entry: Mapping[str, Any]) -> list[Finding]:
    return [finding_from_data(f) for f in entry.get("findings") or [] if isinstance(f, Mapping)]


def _result(finding: Finding, lang: str) -> str:
    return label("insp.ui.skipped" if finding.skipped else f"severity.{finding.severity.value}", lang)


def _status(status: str, lang: str) -> str:
    return label("insp.status.unreachable" if status == "unreachable" else f"severity.{status}", lang)


def _findings_table(
    findings: Sequence[tuple[str, Finding]], lang: str, *, with_host: bool, caption: str = ""
) -> Table:
    columns = [
        "insp.ui.check",
        "insp.ui.subject",
        "ui.severity",
        "ui.measured",
        "insp.ui.threshold",
        "ui.recommendation",
    ]
    if with_host:
        columns.insert(0, "insp.ui.host")
    rows = []
    for host, finding in findings:
        row = [
            label(f"insp.check.{finding.check}", lang),
            finding.subject or "-",
            _result(finding, lang),
            render(finding.measured, lang),
            render(finding.threshold, lang),
            render(finding.recommendation, lang),
        ]
        rows.append(tuple([host, *row] if with_host else row))
    return Table(
        tuple(label(c, lang) for c in columns),
        tuple(rows),
        severities=tuple("" if f.skipped else f.severity.value for _, f in findings),
        severity_column=3 if with_host else 2,
        caption=caption,
    )


def _action_needed(record: Mapping[str, Any]) -> list[tuple[str, Finding]]:
    found = [
        (str(entry.get("name")), finding)
        for entry in record.get("hosts") or []
        for finding in _findings(entry)
        if not finding.skipped and finding.severity != Severity.OK
    ]
    return sorted(found, key=lambda item: (-item[1].severity.rank, item[0], item[1].check, item[1].subject))


def _availability(record: Mapping[str, Any], lang: str) -> Facts:
    hosts = [h for h in record.get("hosts") or [] if isinstance(h, Mapping)]
    reached = sum(1 for h in hosts if h.get("reachable"))
    services = [f for h in hosts for f in _findings(h) if f.check == "service"]
    health = [f for h in hosts for f in _findings(h) if f.check == "app_health" and not f.skipped]
    databases = [f for h in hosts for f in _findings(h) if f.check == "pg_accepting" and not f.skipped]

    def share(found: list[Finding]) -> str:
        good = sum(1 for f in found if f.severity != Severity.CRITICAL)
        return label("insp.ui.of", lang, good=good, total=len(found)) if found else label("ui.none", lang)

    return Facts(
        (
            (
                label("insp.ui.hosts_reachable", lang),
                label("insp.ui.of", lang, good=reached, total=len(hosts)),
            ),
            (label("insp.ui.services_running", lang), share(services)),
            (label("insp.ui.health_ok", lang), share(health)),
            (label("insp.ui.databases_accepting", lang), share(databases)),
        )
    )


def _summary(record: Mapping[str, Any], lang: str) -> Section:
    hosts = [h for h in record.get("hosts") or [] if isinstance(h, Mapping)]
    counts = record.get("counts") or {}
    by_status = []
    for status in ("unreachable", "critical", "warning", "ok"):
        names = sorted(str(h.get("name")) for h in hosts if h.get("status") == status)
        by_status.append((_status(status, lang), str(len(names)), ", ".join(names) or "-"))
    finding_counts = counts.get("findings") or {}
    by_severity = [
        (label(f"severity.{s}", lang), str(finding_counts.get(s, 0))) for s in ("critical", "warning", "ok")
    ]
    by_severity.append((label("insp.ui.skipped", lang), str(finding_counts.get("skipped", 0))))
    action = _action_needed(record)
    blocks: list[Any] = [
        Paragraph(label("insp.ui.intro", lang, environment=record.get("environment") or "-")),
        Table(
            tuple(label(k, lang) for k in ("insp.ui.status", "ui.count", "insp.ui.hosts")),
            tuple(by_status),
            severities=("critical", "critical", "warning", "ok"),
            severity_column=0,
            caption=label("insp.ui.hosts_by_status", lang),
        ),
        Table(
            tuple(label(k, lang) for k in ("ui.severity", "ui.count")),
            tuple(by_severity),
            severities=("critical", "warning", "ok", ""),
            severity_column=0,
            caption=label("insp.ui.findings_by_severity", lang),
        ),
        Paragraph(label("insp.ui.availability", lang)),
        _availability(record, lang),
    ]
    if action:
        blocks.append(_findings_table(action, lang, with_host=True, caption=label("insp.ui.action", lang)))
    else:
        blocks.append(Paragraph(label("insp.ui.no_action", lang)))
    return Section(label("ui.summary", lang), tuple(blocks), str(record.get("severity", "")))


def _host_facts(entry: Mapping[str, Any], lang: str) -> Facts:
    data = entry.get("data") or {}
    os_info = data.get("os") or {}
    cpu = data.get("cpu") or {}
    memory = data.get("memory") or {}
    fact = data.get("fact") or {}
    items = [
        (label("insp.ui.groups", lang), ", ".join(entry.get("groups") or []) or "-"),
        (label("insp.ui.address", lang), f"{entry.get('address', '-')} ({entry.get('connection', '-')})"),
        (label("insp.ui.status", lang), _status(str(entry.get("status")), lang)),
        (label("insp.ui.collected", lang), _local(entry.get("collected_at"))),
    ]
    if os_info:
        items.append(
            (label("insp.ui.os", lang), f"{os_info.get('pretty', '-')}, kernel {os_info.get('kernel', '-')}")
        )
    if isinstance(data.get("uptime_seconds"), int | float):
        items.append(
            (
                label("insp.ui.uptime", lang),
                f"{duration(data['uptime_seconds'], lang)} ({_local(data.get('boot_at'))})",
            )
        )
    if cpu:
        items.append(
            (
                label("insp.ui.cpu", lang),
                label(
                    "insp.ui.cpu_value",
                    lang,
                    cpus=cpu.get("count", "-"),
                    load1=f"{cpu.get('load1', 0):.2f}",
                    load5=f"{cpu.get('load5', 0):.2f}",
                    load15=f"{cpu.get('load15', 0):.2f}",
                ),
            )
        )
    if memory:
        total, available = memory.get("total_bytes", 0), memory.get("available_bytes", 0)
        swap_total, swap_free = memory.get("swap_total_bytes", 0), memory.get("swap_free_bytes", 0)
        items.append(
            (
                label("insp.ui.memory", lang),
                f"{size(total - available)} / {size(total)} ({percent(_share(total, available))})",
            )
        )
        items.append(
            (
                label("insp.ui.swap", lang),
                f"{size(swap_total - swap_free)} / {size(swap_total)}"
                if swap_total
                else label("insp.m.swap_none", lang),
            )
        )
    roles = fact.get("roles") or {}
    if roles:
        items.append(
            (
                label("insp.ui.roles", lang),
                "; ".join(
                    f"{name} {r.get('version', '')} ({str(r.get('applied_at', ''))[:10]})"
                    for name, r in roles.items()
                ),
            )
        )
    app = fact.get("app") or {}
    if app:
        items.append((label("insp.ui.app", lang), f"{app.get('system', '-')} {app.get('release', '-')}"))
    return Facts(tuple(items))


def _share(total: float, available: float) -> float:
    return 1 - available / total if total else 0.0


def _mounts_table(entry: Mapping[str, Any], samples: Sequence[Sample], lang: str) -> Table | None:
    mounts = [
        m
        for m in (entry.get("data") or {}).get("mounts") or []
        if isinstance(m, Mapping) and not m.get("ignored")
    ]
    if not mounts:
        return None
    rows = []
    severities = []
    findings = {(f.check, f.subject): f for f in _findings(entry)}
    for mount in mounts:
        point = str(mount.get("mountpoint"))
        size_bytes, used, free = (
            mount.get("size_bytes", 0),
            mount.get("used_bytes", 0),
            mount.get("available_bytes", 0),
        )
        usable = used + free
        inodes, inodes_used = mount.get("inodes"), mount.get("inodes_used")
        prediction = forecast(samples, point)
        if mount.get("readonly"):
            growth, until = label("insp.ui.readonly", lang), "-"
        elif prediction.slope_per_day is None:
            growth, until = label("insp.ui.not_enough", lang, points=prediction.points), "-"
        else:
            growth = f"{'+' if prediction.weekly_growth >= 0 else '-'}{size(abs(prediction.weekly_growth))}"
            until = (
                duration(prediction.days_until_full * 86400, lang)
                if prediction.days_until_full is not None
                else label("insp.ui.not_growing", lang)
            )
        rows.append(
            (
                point,
                str(mount.get("fstype", "-")),
                size(size_bytes),
                f"{size(used)} ({percent(used / usable if usable else 0)})",
                percent(inodes_used / inodes) if inodes and inodes_used is not None else "-",
                growth,
                until,
            )
        )
        judged = [findings.get((c, point)) for c in ("disk", "inodes", "disk_forecast")]
        severities.append(
            max((f.severity for f in judged if f), key=lambda s: s.rank, default=Severity.OK).value
        )
    columns = (
        "insp.ui.mount",
        "ui.type",
        "ui.size",
        "insp.ui.used",
        "insp.ui.inodes",
        "insp.ui.growth",
        "insp.ui.until_full",
    )
    return Table(
        tuple(label(c, lang) for c in columns),
        tuple(rows),
        severities=tuple(severities),
        caption=label("insp.ui.filesystems", lang),
    )


def _marks(entry: Mapping[str, Any], name: str) -> tuple[tuple[float, str], ...]:
    limits = ((entry.get("thresholds") or {}).get("limits") or {}).get(name) or {}
    return tuple(
        (float(v), k) for k in ("warning", "critical") if isinstance((v := limits.get(k)), int | float)
    )


def _history_chart(entry: Mapping[str, Any], samples: Sequence[Sample], lang: str) -> Chart | None:
    samples = list(samples)[-HISTORY:]
    if not samples:
        return None
    ticks = [s.week for s in samples]
    host = str(entry.get("name"))
    load = Series(
        label("insp.ui.load_per_cpu", lang),
        tuple(s.load15 / s.cpus if s.load15 is not None and s.cpus else None for s in samples),
    )
    memory = Series(label("insp.ui.memory", lang), tuple(s.memory_ratio for s in samples))
    mounts = sorted({m for s in samples for m in s.mounts})
    disks = tuple(
        Series(m, tuple(s.mounts[m].used_ratio if m in s.mounts else None for s in samples)) for m in mounts
    )

    def share(value: float) -> str:
        return percent(value)

    panels = [
        LinePanel(
            label("insp.ui.load_panel", lang),
            (load,),
            lambda v: f"{v:.2f}",
            marks=_marks(entry, "load_per_cpu"),
        ),
        LinePanel(label("insp.ui.memory_panel", lang), (memory,), share, 1.0, _marks(entry, "memory_used")),
    ]
    if disks:
        panels.append(
            LinePanel(label("insp.ui.disk_panel", lang), disks, share, 1.0, _marks(entry, "disk_used"))
        )
    svg = line_chart(panels, ticks, label=label("insp.ui.chart_alt", lang, host=host, count=len(samples)))
    fallback = Table(
        (label("insp.ui.week", lang), load.name, memory.name, *mounts),
        tuple(
            (
                sample.week,
                _fixed(load.values[i]),
                percent(sample.memory_ratio) if sample.memory_ratio is not None else "-",
                *(percent(sample.mounts[m].used_ratio) if m in sample.mounts else "-" for m in mounts),
            )
            for i, sample in enumerate(samples)
        ),
    )
    return Chart(
        label("insp.ui.chart_title", lang, host=host),
        svg,
        fallback,
        label("insp.ui.chart_note", lang),
    )


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _host_section(entry: Mapping[str, Any], history: Sequence[Mapping[str, Any]], lang: str) -> Section:
    name = str(entry.get("name"))
    status = str(entry.get("status"))
    findings = [(name, f) for f in _findings(entry)]
    blocks: list[Any] = [_host_facts(entry, lang)]
    if status == "unreachable":
        blocks.append(Paragraph(label("insp.ui.unreachable", lang, error=entry.get("error") or "-")))
    blocks.append(_findings_table(findings, lang, with_host=False, caption=label("ui.findings", lang)))
    samples = host_samples(history, name)
    mounts = _mounts_table(entry, samples, lang)
    if mounts is not None:
        blocks.append(mounts)
    chart = _history_chart(entry, samples, lang)
    if chart is not None:
        blocks.append(chart)
    title = f"{name} — {_status(status, lang)}"
    return Section(title, tuple(blocks), "critical" if status == "unreachable" else status)


def _thresholds_section(record: Mapping[str, Any], lang: str) -> Section:
    hosts = [h for h in record.get("hosts") or [] if isinstance(h, Mapping) and h.get("thresholds")]
    first = hosts[0]["thresholds"]["limits"] if hosts else {}
    rows = []
    for name, spec in DEFAULTS.items():
        limits = first.get(name) or {}
        rows.append(
            (
                name,
                _limit_text(limits.get("warning"), spec.unit, lang),
                _limit_text(limits.get("critical"), spec.unit, lang),
                label(f"insp.limit.{name}", lang),
            )
        )
    differing = sorted(str(h["name"]) for h in hosts if h["thresholds"]["limits"] != first)
    blocks: list[Any] = [
        Paragraph(label("insp.ui.thresholds_intro", lang)),
        Table(
            tuple(
                label(k, lang)
                for k in ("insp.ui.limit", "severity.warning", "severity.critical", "insp.ui.measures")
            ),
            tuple(rows),
        ),
    ]
    if differing:
        blocks.append(Paragraph(label("insp.ui.thresholds_differ", lang, hosts=", ".join(differing))))
    return Section(label("insp.ui.thresholds", lang), tuple(blocks))


def _limit_text(value: object, unit: str, lang: str) -> str:
    if not isinstance(value, int | float):
        return label("insp.ui.off", lang)
    if unit == "ratio":
        return percent(float(value))
    factor = {"days": 86400, "hours": 3600, "minutes": 60}.get(unit)
    if factor:
        return duration(float(value) * factor, lang)
    if unit == "seconds":
        return f"{value:g} s"
    return f"{value:g}"


def inspection_document(
    record: Mapping[str, Any], history: Sequence[Mapping[str, Any]], lang: str, sources: Sources
) -> Document:
    """The week's report as a Document in `lang` ("en" or "zh-CN"); `history`: the records up to the week."""
    week = parse_week(str(record.get("week")))
    hosts = sorted(
        (h for h in record.get("hosts") or [] if isinstance(h, Mapping)),
        key=lambda h: str(h.get("name")),
    )
    counts = (record.get("counts") or {}).get("findings") or {}
    facts = Facts(
        (
            (label("ui.environment", lang), str(record.get("environment") or "-")),
            (label("insp.ui.week", lang), f"{week} ({week.monday} ... {week.sunday})"),
            (label("insp.ui.run_at", lang), f"{_local(record.get('started_at'))} (UTC+8)"),
            (
                label("insp.ui.elapsed", lang),
                label(
                    "insp.ui.elapsed_value",
                    lang,
                    seconds=record.get("elapsed_seconds", "-"),
                    hosts=len(hosts),
                ),
            ),
            (label("insp.ui.inventory", lang), ", ".join(record.get("inventory") or []) or "-"),
            (
                label("insp.ui.limit_hosts", lang),
                str(record.get("limit") or label("insp.ui.all_hosts", lang)),
            ),
            (label("ui.result", lang), label(f"severity.{record.get('severity', 'ok')}", lang)),
            (
                label("ui.counts", lang),
                label(
                    "ui.counts_value",
                    lang,
                    critical=counts.get("critical", 0),
                    warning=counts.get("warning", 0),
                    ok=counts.get("ok", 0),
                ),
            ),
            (label("insp.ui.runs", lang), str(1 + len(record.get("earlier_runs") or []))),
        )
    )
    sections = [
        _summary(record, lang),
        *(_host_section(h, history, lang) for h in hosts),
        _thresholds_section(record, lang),
    ]
    return Document(
        lang=lang,
        title=label("insp.title", lang),
        subtitle=label("insp.subtitle", lang, environment=record.get("environment") or "-", week=str(week)),
        facts=facts,
        sections=tuple(sections),
        signature=Signature(
            label("ui.signature", lang),
            tuple(
                label(k, lang)
                for k in ("insp.ui.inspected_by", "ui.reviewed_by", "ui.sign_date", "ui.signature_line")
            ),
        ),
        footer=label(
            "insp.ui.footer",
            lang,
            version=sources.version,
            generated=sources.generated.astimezone(ESTATE_TZ).strftime("%Y-%m-%d %H:%M"),
            record=sources.record,
        ),
        severity=str(record.get("severity", "")),
    )


def _finding_json(finding: Finding, lang: str) -> dict[str, Any]:
    return {
        "check": finding.check,
        "check_label": label(f"insp.check.{finding.check}", lang),
        "subject": finding.subject or None,
        "severity": finding.severity.value,
        "skipped": finding.skipped,
        "value": finding.value,
        "measured": render(finding.measured, lang),
        "threshold": render(finding.threshold, lang),
        "recommendation": render(finding.recommendation, lang),
    }


def inspection_data(
    record: Mapping[str, Any], history: Sequence[Mapping[str, Any]], lang: str, sources: Sources
) -> dict[str, Any]:
    """The report as JSON-ready data: the record's numbers, findings worded in `lang`, trends, forecasts."""
    hosts = []
    for entry in sorted(
        (h for h in record.get("hosts") or [] if isinstance(h, Mapping)), key=lambda h: str(h.get("name"))
    ):
        samples = host_samples(history, str(entry.get("name")))
        mounts = sorted({m for s in samples for m in s.mounts})
        hosts.append(
            {
                "name": entry.get("name"),
                "groups": entry.get("groups"),
                "status": entry.get("status"),
                "reachable": entry.get("reachable"),
                "error": entry.get("error"),
                "collected_at": entry.get("collected_at"),
                "findings": [_finding_json(f, lang) for f in _findings(entry)],
                "data": entry.get("data"),
                "trend": [
                    {
                        "week": s.week,
                        "load15": s.load15,
                        "cpus": s.cpus,
                        "memory_used_ratio": s.memory_ratio,
                        "disk_used_ratio": {m: round(v.used_ratio, 4) for m, v in s.mounts.items()},
                    }
                    for s in samples[-HISTORY:]
                ],
                "forecasts": [
                    {
                        "mountpoint": m,
                        "points": (f := forecast(samples, m)).points,
                        "growth_bytes_per_week": f.weekly_growth if f.slope_per_day is not None else None,
                        "days_until_full": f.days_until_full,
                    }
                    for m in mounts
                ],
            }
        )
    return {
        "report": "medops.inspection-report",
        "schema": SCHEMA,
        "lang": lang,
        "week": record.get("week"),
        "environment": record.get("environment"),
        "started_at": record.get("started_at"),
        "finished_at": record.get("finished_at"),
        "elapsed_seconds": record.get("elapsed_seconds"),
        "severity": record.get("severity"),
        "counts": record.get("counts"),
        "record": sources.record,
        "generated": sources.generated.isoformat(timespec="seconds"),
        "medops_version": sources.version,
        "hosts": hosts,
    }


def terminal_lines(record: Mapping[str, Any], lang: str = "en", *, detail: bool = True) -> list[str]:
    """The terminal version: a line for the run, one per host, and (detail) each finding that needs action."""
    hosts = sorted(
        (h for h in record.get("hosts") or [] if isinstance(h, Mapping)),
        key=lambda h: (-RANK.get(str(h.get("status")), 0), str(h.get("name"))),
    )
    host_counts = (record.get("counts") or {}).get("hosts") or {}
    finding_counts = (record.get("counts") or {}).get("findings") or {}
    lines = [
        label(
            "insp.term.run",
            lang,
            week=record.get("week"),
            environment=record.get("environment") or "-",
            result=label(f"severity.{record.get('severity', 'ok')}", lang),
            hosts=len(hosts),
            ok=host_counts.get("ok", 0),
            warning=host_counts.get("warning", 0),
            critical=host_counts.get("critical", 0),
            unreachable=host_counts.get("unreachable", 0),
            f_critical=finding_counts.get("critical", 0),
            f_warning=finding_counts.get("warning", 0),
        )
    ]
    width = max((len(str(h.get("name"))) for h in hosts), default=4)
    for entry in hosts:
        status = str(entry.get("status"))
        bad = [f for f in _findings(entry) if not f.skipped and f.severity != Severity.OK]
        checks = ", ".join(sorted({f.check for f in bad})) or "-"
        lines.append(f"  {entry.get('name')!s:<{width}}  {_status(status, lang):<11}  {checks}")
        if detail:
            for finding in sorted(bad, key=lambda f: (-f.severity.rank, f.check, f.subject)):
                subject = f" {finding.subject}" if finding.subject else ""
                lines.append(
                    f"      {label(f'severity.{finding.severity.value}', lang)}: "
                    f"{label(f'insp.check.{finding.check}', lang)}{subject}: "
                    f"{render(finding.measured, lang)} "
                    f"[{render(finding.threshold, lang)}]"
                )
                lines.append(f"        → {render(finding.recommendation, lang)}")
    return lines
