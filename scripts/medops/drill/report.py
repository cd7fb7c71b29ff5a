"""A drill record worded as a report: a Document (HTML, Markdown), data (JSON) and headline lines.

Built from the record alone (never from hosts), so a drill can be reported again at any time, in English
or Chinese: `medops drill report qcis-20261122T020000Z --lang zh-CN`. Every word a reader sees comes from
the label dictionaries (medops.report.labels, keys `drill.*`).

The charts put the phases on a time axis. The measured rebuild of a small lab database takes minutes
against an RTO budget of hours, so it gets its own axis (the budget's share is said in words), and the
projection of the rebuild for the production-sized database is drawn against the budget itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from medops.drill.record import Checksum, Drill, Failback, Phase, Projection, Rebuild, Restore
from medops.report.document import Chart, Document, Facts, Paragraph, Section, Signature, Table
from medops.report.labels import duration, label, labels_for, size
from medops.report.svg import Mark, Span, timeline_chart

SCHEMA = 1
ESTATE_TZ = timezone(timedelta(hours=8), "CST")  # the estate's hosts run on Asia/Shanghai time
# Phases of the projection that grow with the database; the others are taken as measured.
SIZE_BOUND = ("restore",)
# A projection counts in the verdict from this share of the production size on (as in the backup review).
RELIABLE_SHARE = 0.1


@dataclass(frozen=True)
class Sources:
    record: str  # the record as a path under the records folder, e.g. drills/qcis-20261122T020000Z.json
    version: str  # medops version that renders
    generated: datetime


def _local(moment: datetime | None) -> str:
    return moment.astimezone(ESTATE_TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _dur(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return label("drill.not_measured", lang)
    if seconds < 60:
        return label("drill.seconds", lang, value=f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}")
    if seconds < 3600:  # minutes and seconds: a phase's seconds matter in a drill
        minutes, rest = divmod(round(seconds), 60)
        words = labels_for(lang)
        return " ".join(
            [words["unit.minutes"].format(n=minutes)]
            + ([words["unit.seconds"].format(n=rest)] if rest else [])
        )
    return duration(seconds, lang)


def _met(met: bool | None, lang: str) -> str:
    return label({True: "drill.met", False: "drill.missed", None: "drill.not_judged"}[met], lang)


def _severity(met: bool | None) -> str:
    return {True: "ok", False: "critical", None: "warning"}[met]


def _outcome(outcome: str, lang: str) -> str:
    return label(f"drill.outcome.{outcome}", lang)


def _phase(name: str, lang: str) -> str:
    key = f"drill.phase.{name}"
    try:
        return label(key, lang)
    except KeyError:
        return name


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole > 0 else "-"


def _reliable(projection: Projection) -> bool:
    """Whether the projection comes from enough of the production size to be judged."""
    return projection.measured_share >= RELIABLE_SHARE


def rto_origin(drill: Drill) -> datetime:
    """Where the RTO is counted from: the failure when it was recorded, else the rebuild's start."""
    return drill.failed_at or drill.rebuild.started


# --- headline ---------------------------------------------------------------------------------------------


def headline(drill: Drill, lang: str = "en") -> list[str]:
    """The figures `make drill` prints: one line each."""
    rebuild = drill.rebuild
    lines = [
        label(
            "drill.h.title",
            lang,
            id=drill.id,
            environment=drill.environment,
            outcome=_outcome(rebuild.outcome, lang),
            seconds=_dur(rebuild.seconds, lang),
        )
    ]
    if rebuild.refusals:
        lines.append(label("drill.h.refused", lang, reasons="; ".join(rebuild.refusals)))
    if rebuild.failure:
        lines.append(label("drill.h.failure", lang, failure=rebuild.failure))
    lines.append(
        label(
            "drill.h.rto",
            lang,
            measured=_dur(rebuild.rto_seconds, lang),
            origin=label(f"drill.rto_from.{rebuild.rto_from}", lang),
            objective=_dur(drill.budget_seconds, lang),
            result=_met(rebuild.rto_met, lang),
        )
    )
    lines.append(
        label(
            "drill.h.rpo",
            lang,
            measured=_dur(rebuild.rpo_seconds, lang),
            objective=_dur(drill.rpo_objective_seconds, lang),
            result=_met(rebuild.rpo_met, lang),
            heartbeat=_local(rebuild.newest_heartbeat),
        )
    )
    if rebuild.restore:
        restore = rebuild.restore
        lines.append(
            label(
                "drill.h.restore",
                lang,
                backup=restore.backup_label,
                size=size(restore.bytes),
                rate=size(restore.bytes_per_second),
                seconds=_dur(restore.seconds, lang),
                segments=restore.wal.segments,
                wal=size(restore.wal.bytes),
            )
        )
    if rebuild.projection:
        projection = rebuild.projection
        lines.append(
            label(
                "drill.h.projection" if _reliable(projection) else "drill.h.projection_indicative",
                lang,
                gb=f"{projection.database_size_gb:g}",
                total=_dur(projection.total_seconds, lang),
                objective=_dur(projection.budget_seconds, lang),
                result=_met(projection.within_rto, lang),
                share=f"{100 * projection.measured_share:.2g} %",
            )
        )
    failback = drill.failback
    if failback is None:
        lines.append(label("drill.h.no_failback", lang))
    else:
        equal = failback.checksums_equal
        lines.append(
            label(
                "drill.h.failback",
                lang,
                outcome=_outcome(failback.outcome, lang),
                seconds=_dur(failback.seconds, lang),
                downtime=_dur(failback.downtime_seconds, lang),
                tables=len(failback.checksums),
                checksums=label(
                    {
                        True: "drill.checksums_equal",
                        False: "drill.checksums_differ",
                        None: "drill.not_measured",
                    }[equal],
                    lang,
                ),
            )
        )
    return lines


def verdict(drill: Drill) -> int:
    """0: rebuild and fail-back succeeded with every objective met and the data equal on both sides;
    1: an objective missed or not measured, or the fail-back still to come; 2: a run failed or was refused."""
    rebuild, failback = drill.rebuild, drill.failback
    if rebuild.outcome != "success" or (failback is not None and failback.outcome != "success"):
        return 2
    if failback is not None and failback.checksums_equal is False:
        return 2
    # A projection from less than a tenth of the production size says little (fixed costs dominate).
    projection = rebuild.projection
    projection_ok = projection is None or projection.within_rto or not _reliable(projection)
    if failback is None or not (rebuild.rto_met and rebuild.rpo_met and projection_ok):
        return 1
    return 0


# --- document ---------------------------------------------------------------------------------------------


def _figures(drill: Drill, lang: str) -> Table:
    rebuild, failback = drill.rebuild, drill.failback
    rows: list[tuple[str, ...]] = []
    severities: list[str] = []

    def add(key: str, measured: str, objective: str, met: bool | None) -> None:
        rows.append((label(key, lang), measured, objective, _met(met, lang)))
        severities.append(_severity(met))

    add(
        "drill.fig.rto",
        label(
            "drill.rto_value",
            lang,
            seconds=_dur(rebuild.rto_seconds, lang),
            origin=label(f"drill.rto_from.{rebuild.rto_from}", lang),
        ),
        _dur(drill.budget_seconds, lang),
        rebuild.rto_met,
    )
    add(
        "drill.fig.rpo",
        _dur(rebuild.rpo_seconds, lang),
        _dur(drill.rpo_objective_seconds, lang),
        rebuild.rpo_met,
    )
    if rebuild.projection:
        projection = rebuild.projection
        add(
            "drill.fig.projection",
            label(
                "drill.projection_value",
                lang,
                seconds=_dur(projection.total_seconds, lang),
                gb=f"{projection.database_size_gb:g}",
            ),
            _dur(projection.budget_seconds, lang),
            projection.within_rto if _reliable(projection) else None,
        )
    if failback is not None:
        add(
            "drill.fig.checksums",
            label(
                "drill.checksums_value",
                lang,
                equal=sum(1 for c in failback.checksums if c.equal),
                tables=len(failback.checksums),
            ),
            label("drill.checksums_expected", lang),
            failback.checksums_equal,
        )
        rows.append(
            (label("drill.fig.downtime", lang), _dur(failback.downtime_seconds, lang), "-", "-"),
        )
        severities.append("")
    columns = tuple(
        label(k, lang)
        for k in ("drill.ui.figure", "drill.ui.measured", "drill.ui.objective", "drill.ui.result")
    )
    return Table(columns=columns, rows=tuple(rows), severities=tuple(severities), severity_column=3)


def _phases_table(phases: Sequence[Phase], origin: datetime, total: float | None, lang: str) -> Table:
    columns = tuple(
        label(k, lang) for k in ("drill.ui.phase", "drill.ui.start", "drill.ui.duration", "drill.ui.share")
    )
    whole = total or sum(p.seconds for p in phases)
    rows = tuple(
        (
            _phase(p.name, lang),
            label(
                "drill.offset",
                lang,
                time=_local(p.started),
                offset=_dur((p.started - origin).total_seconds(), lang),
            ),
            _dur(p.seconds, lang),
            _share(p.seconds, whole),
        )
        for p in phases
    )
    return Table(columns=columns, rows=rows)


def _phase_spans(phases: Sequence[Phase], origin: datetime, category: str, lang: str) -> list[Span]:
    return [
        Span(
            lane=_phase(p.name, lang),
            start=(p.started - origin).total_seconds(),
            seconds=p.seconds,
            category=category,
            tooltip=f"{_phase(p.name, lang)}: {_dur(p.seconds, lang)}",
        )
        for p in phases
    ]


def _axis(lang: str) -> Any:
    def axis(value: float) -> str:
        return _dur(value, lang) if value > 0 else "0"

    return axis


def _rebuild_chart(drill: Drill, lang: str) -> Chart | None:
    rebuild = drill.rebuild
    if not rebuild.phases:
        return None
    origin = rto_origin(drill)
    spans = _phase_spans(rebuild.phases, origin, "rebuild", lang)
    end = max(s.start + s.seconds for s in spans)
    marks = []
    if drill.failed_at is not None:
        marks.append(Mark(0.0, label("drill.mark.failure", lang), "event"))
    if rebuild.serving_at is not None:
        served = (rebuild.serving_at - origin).total_seconds()
        marks.append(Mark(served, label("drill.mark.serving", lang, seconds=_dur(served, lang)), "ok"))
    axis_max = end * 1.05
    if drill.budget_seconds <= axis_max:
        marks.append(
            Mark(
                drill.budget_seconds,
                label("drill.mark.budget", lang, seconds=_dur(drill.budget_seconds, lang)),
                "budget",
            )
        )
        axis_max = max(axis_max, drill.budget_seconds * 1.02)
    svg = timeline_chart(
        spans,
        [("rebuild", label("drill.legend.measured", lang))],
        axis_max=axis_max,
        axis=_axis(lang),
        marks=marks,
        label=label("drill.chart.rebuild_alt", lang, count=len(spans)),
    )
    used = (rebuild.rto_seconds or end) / drill.budget_seconds if drill.budget_seconds else 0.0
    return Chart(
        title=label("drill.chart.rebuild", lang),
        svg=svg,
        fallback=_phases_table(rebuild.phases, origin, rebuild.seconds, lang),
        description=label(
            "drill.chart.rebuild_note",
            lang,
            share=f"{100 * used:.1f} %",
            budget=_dur(drill.budget_seconds, lang),
        ),
    )


def projected_phases(rebuild: Rebuild, projection: Projection) -> list[tuple[str, float]]:
    """The rebuild's phases with the size-bound ones scaled to the projected database (name, seconds)."""
    phases = [(p.name, p.seconds) for p in rebuild.phases]
    return [(name, projection.restore_seconds if name in SIZE_BOUND else seconds) for name, seconds in phases]


def _projection_chart(drill: Drill, projection: Projection, lang: str) -> Chart:
    spans: list[Span] = []
    at = 0.0
    for name, seconds in projected_phases(drill.rebuild, projection):
        grows = name in SIZE_BOUND
        spans.append(
            Span(
                lane=_phase(name, lang),
                start=at,
                seconds=seconds,
                category="projected" if grows else "rebuild",
                tooltip=f"{_phase(name, lang)}: {_dur(seconds, lang)}",
            )
        )
        at += seconds
    budget = projection.budget_seconds
    svg = timeline_chart(
        spans,
        [
            ("rebuild", label("drill.legend.measured", lang)),
            ("projected", label("drill.legend.projected", lang)),
        ],
        axis_max=max(at, budget) * 1.05,
        axis=_axis(lang),
        marks=[
            Mark(budget, label("drill.mark.budget", lang, seconds=_dur(budget, lang)), "budget"),
            Mark(
                at,
                label("drill.mark.projected", lang, seconds=_dur(at, lang)),
                "ok" if at <= budget else "budget",
            ),
        ],
        label=label("drill.chart.projection_alt", lang, gb=f"{projection.database_size_gb:g}"),
    )
    columns = tuple(label(k, lang) for k in ("drill.ui.phase", "drill.ui.duration", "drill.ui.share"))
    rows = tuple((s.lane, _dur(s.seconds, lang), _share(s.seconds, budget)) for s in spans)
    return Chart(
        title=label("drill.chart.projection", lang, gb=f"{projection.database_size_gb:g}"),
        svg=svg,
        fallback=Table(columns=columns, rows=rows),
        description=label(
            "drill.chart.projection_note",
            lang,
            total=_dur(at, lang),
            budget=_dur(budget, lang),
            share=_share(at, budget),
        ),
    )


def _restore_facts(restore: Restore, lang: str) -> Facts:
    wal = restore.wal
    items = [
        (
            label("drill.ui.backup", lang),
            label(
                "drill.backup_value",
                lang,
                label=restore.backup_label,
                type=restore.backup_type or "-",
                stop=_local(restore.backup_stop),
            ),
        ),
        (
            label("drill.ui.restored", lang),
            label(
                "drill.restored_value",
                lang,
                size=size(restore.bytes),
                seconds=_dur(restore.seconds, lang),
                processes=restore.process_max,
            ),
        ),
        (
            label("drill.ui.throughput", lang),
            label("drill.rate_value", lang, rate=size(restore.bytes_per_second)),
        ),
        (
            label("drill.ui.wal", lang),
            label(
                "drill.wal_value",
                lang,
                size=size(wal.bytes),
                segments=wal.segments,
                start=wal.start_lsn,
                end=wal.end_lsn,
                timeline=wal.timeline,
            ),
        ),
        (label("drill.ui.replay", lang), _dur(wal.replay_seconds, lang)),
    ]
    if wal.reached_archive_end is not None:
        items.append(
            (
                label("drill.ui.archive_end", lang),
                label(
                    "drill.archive_end_yes" if wal.reached_archive_end else "drill.archive_end_no",
                    lang,
                    segment=wal.archive_max or "-",
                ),
            )
        )
    return Facts(tuple(items))


def _rows_table(rebuild: Rebuild, lang: str) -> Table:
    columns = tuple(
        label(k, lang)
        for k in (
            "drill.ui.database",
            "drill.ui.table",
            "drill.ui.known",
            "drill.ui.restored_rows",
            "drill.ui.result",
        )
    )
    rows, severities = [], []
    for count in rebuild.rows:
        if count.restored is None:
            result, sev = label("drill.rows.missing", lang), "critical"
        elif count.known is None:
            result, sev = label("drill.rows.new", lang), "ok"
        elif count.restored == count.known:
            result, sev = label("drill.rows.equal", lang), "ok"
        elif count.restored > count.known:
            result, sev = label("drill.rows.more", lang), "critical" if rebuild.rows_exact else "ok"
        else:
            result, sev = label("drill.rows.fewer", lang), "critical" if rebuild.rows_exact else "warning"
        rows.append(
            (
                count.database,
                count.table,
                "-" if count.known is None else str(count.known),
                "-" if count.restored is None else str(count.restored),
                result,
            )
        )
        severities.append(sev)
    caption = label(
        "drill.rows_caption_exact" if rebuild.rows_exact else "drill.rows_caption",
        lang,
        source=rebuild.rows_known_from or "-",
    )
    return Table(
        columns=columns, rows=tuple(rows), severities=tuple(severities), severity_column=4, caption=caption
    )


def _rebuild_section(drill: Drill, lang: str) -> Section:
    rebuild = drill.rebuild
    origin = rto_origin(drill)
    blocks: list[Any] = [
        Facts(
            (
                (label("drill.ui.started", lang), _local(rebuild.started)),
                (label("drill.ui.finished", lang), _local(rebuild.finished)),
                (label("drill.ui.duration", lang), _dur(rebuild.seconds, lang)),
                (label("drill.ui.outcome", lang), _outcome(rebuild.outcome, lang)),
                (label("drill.ui.who", lang), rebuild.who),
                (
                    label("drill.ui.target", lang),
                    label(f"drill.target.{rebuild.target_type}", lang, value=rebuild.target_value or "-"),
                ),
                (label("drill.ui.serving_at", lang), _local(rebuild.serving_at)),
                (
                    label("drill.ui.release", lang),
                    label(
                        "drill.release_value",
                        lang,
                        version=rebuild.release or "-",
                        source=rebuild.release_source or "-",
                    ),
                ),
            )
        )
    ]
    if rebuild.refusals:
        blocks.append(Paragraph(label("drill.refusals", lang, reasons="; ".join(rebuild.refusals))))
    if rebuild.failure:
        blocks.append(Paragraph(label("drill.failure", lang, failure=rebuild.failure)))
    chart = _rebuild_chart(drill, lang)
    if chart is not None:
        blocks.append(chart)
        blocks.append(_phases_table(rebuild.phases, origin, rebuild.seconds, lang))
    if rebuild.restore:
        blocks.append(_restore_facts(rebuild.restore, lang))
    health = rebuild.health
    if health:
        blocks.append(
            Paragraph(
                label(
                    "drill.health",
                    lang,
                    status=str(health.get("status", "-")),
                    version=str(health.get("version", "-")),
                    schema=str(health.get("schema_version", "-")),
                    expected=str(health.get("expected_schema_version", "-")),
                )
            )
        )
    blocks.append(
        Paragraph(
            label(
                "drill.rpo_note",
                lang,
                heartbeat=_local(rebuild.newest_heartbeat),
                source=rebuild.heartbeat_source or "-",
                failure=_local(drill.failed_at),
                seconds=_dur(rebuild.rpo_seconds, lang),
                archive_timeout=_dur(drill.archive_timeout_seconds, lang),
            )
        )
    )
    if rebuild.rows:
        blocks.append(_rows_table(rebuild, lang))
    return Section(label("drill.sec.rebuild", lang), tuple(blocks), _severity(_rebuild_ok(rebuild)))


def _rebuild_ok(rebuild: Rebuild) -> bool | None:
    if rebuild.outcome != "success":
        return False
    return None if rebuild.rto_met is None else bool(rebuild.rto_met and rebuild.rpo_met is not False)


def _projection_section(drill: Drill, projection: Projection, lang: str) -> Section:
    blocks: list[Any] = [_projection_chart(drill, projection, lang)]
    blocks.append(
        Paragraph(
            label(
                "drill.projection_basis",
                lang,
                gb=f"{projection.database_size_gb:g}",
                share=f"{100 * projection.measured_share:.3g} %",
                restore=_dur(projection.restore_seconds, lang),
            )
        )
    )
    if projection.measured_share < RELIABLE_SHARE:
        blocks.append(Paragraph(label("drill.projection_caveat", lang)))
    if projection.basis:
        blocks.append(Paragraph(projection.basis))
    judged = projection.within_rto if _reliable(projection) else None
    return Section(label("drill.sec.projection", lang), tuple(blocks), _severity(judged))


def _checksums_table(checksums: Sequence[Checksum], lang: str) -> Table:
    columns = tuple(
        label(k, lang)
        for k in (
            "drill.ui.database",
            "drill.ui.table",
            "drill.ui.rows",
            "drill.ui.spare_sum",
            "drill.ui.primary_sum",
            "drill.ui.result",
        )
    )
    return Table(
        columns=columns,
        rows=tuple(
            (
                c.database,
                c.table,
                str(c.rows),
                c.spare,
                c.primary,
                label("drill.equal" if c.equal else "drill.differ", lang),
            )
            for c in checksums
        ),
        severities=tuple("ok" if c.equal else "critical" for c in checksums),
        severity_column=5,
    )


def _failback_chart(failback: Failback, lang: str) -> Chart | None:
    if not failback.phases:
        return None
    origin = failback.started
    spans = _phase_spans(failback.phases, origin, "failback", lang)
    end = max(s.start + s.seconds for s in spans)
    marks = []
    if failback.downtime_from is not None:
        marks.append(
            Mark((failback.downtime_from - origin).total_seconds(), label("drill.mark.down", lang), "budget")
        )
    if failback.downtime_to is not None:
        back = (failback.downtime_to - origin).total_seconds()
        marks.append(
            Mark(back, label("drill.mark.back", lang, seconds=_dur(failback.downtime_seconds, lang)), "ok")
        )
    svg = timeline_chart(
        spans,
        [("failback", label("drill.legend.failback", lang))],
        axis_max=end * 1.05,
        axis=_axis(lang),
        marks=marks,
        label=label("drill.chart.failback_alt", lang, count=len(spans)),
    )
    return Chart(
        title=label("drill.chart.failback", lang),
        svg=svg,
        fallback=_phases_table(failback.phases, origin, failback.seconds, lang),
    )


def _failback_section(drill: Drill, lang: str) -> Section:
    failback = drill.failback
    if failback is None:
        return Section(
            label("drill.sec.failback", lang), (Paragraph(label("drill.no_failback", lang)),), "warning"
        )
    blocks: list[Any] = [
        Facts(
            (
                (label("drill.ui.started", lang), _local(failback.started)),
                (label("drill.ui.finished", lang), _local(failback.finished)),
                (label("drill.ui.duration", lang), _dur(failback.seconds, lang)),
                (label("drill.ui.outcome", lang), _outcome(failback.outcome, lang)),
                (label("drill.ui.who", lang), failback.who),
                (
                    label("drill.ui.temporary", lang),
                    label(
                        "drill.temporary_value",
                        lang,
                        start=_local(failback.temporary_from),
                        end=_local(failback.temporary_to),
                        beats="-" if failback.temporary_beats is None else failback.temporary_beats,
                    ),
                ),
                (
                    label("drill.ui.downtime", lang),
                    label(
                        "drill.downtime_value",
                        lang,
                        start=_local(failback.downtime_from),
                        end=_local(failback.downtime_to),
                        seconds=_dur(failback.downtime_seconds, lang),
                    ),
                ),
                (
                    label("drill.ui.final_wal", lang),
                    label(
                        "drill.final_wal_value",
                        lang,
                        segment=failback.final_segment or "-",
                        lsn=failback.final_lsn or "-",
                    ),
                ),
                (label("drill.ui.backup_after", lang), failback.backup or "-"),
            )
        ),
        Paragraph(label("drill.failback_why", lang)),
    ]
    if failback.refusals:
        blocks.append(Paragraph(label("drill.refusals", lang, reasons="; ".join(failback.refusals))))
    if failback.failure:
        blocks.append(Paragraph(label("drill.failure", lang, failure=failback.failure)))
    chart = _failback_chart(failback, lang)
    if chart is not None:
        blocks.append(chart)
        blocks.append(_phases_table(failback.phases, failback.started, failback.seconds, lang))
    if failback.restore:
        blocks.append(_restore_facts(failback.restore, lang))
    if failback.checksums:
        blocks.append(_checksums_table(failback.checksums, lang))
    ok = failback.outcome == "success" and failback.checksums_equal is True
    return Section(label("drill.sec.failback", lang), tuple(blocks), "ok" if ok else "critical")


def drill_document(drill: Drill, lang: str, sources: Sources) -> Document:
    rebuild = drill.rebuild
    kind = "drill.kind.drill" if drill.drill else "drill.kind.incident"
    facts = Facts(
        (
            (label("drill.ui.system", lang), drill.system),
            (label("drill.ui.environment", lang), drill.environment),
            (label("drill.ui.kind", lang), label(kind, lang)),
            (label("drill.ui.failed_at", lang), _local(drill.failed_at)),
            (
                label("drill.ui.hosts", lang),
                label(
                    "drill.hosts_value",
                    lang,
                    primary=drill.hosts.get("primary", "-"),
                    spare=drill.hosts.get("spare", "-"),
                    repository=drill.hosts.get("repository", "-"),
                ),
            ),
            (label("drill.ui.rebuild", lang), _outcome(rebuild.outcome, lang)),
            (
                label("drill.ui.failback", lang),
                _outcome(drill.failback.outcome, lang) if drill.failback else label("drill.not_yet", lang),
            ),
        )
    )
    sections = [
        Section(
            label("drill.sec.summary", lang),
            (
                Paragraph(
                    label(
                        "drill.intro",
                        lang,
                        system=drill.system,
                        rto=_dur(drill.budget_seconds, lang),
                        rpo=_dur(drill.rpo_objective_seconds, lang),
                    )
                ),
                _figures(drill, lang),
            ),
        ),
        _rebuild_section(drill, lang),
    ]
    if rebuild.projection:
        sections.append(_projection_section(drill, rebuild.projection, lang))
    if rebuild.outcome == "success" or drill.failback is not None:
        sections.append(_failback_section(drill, lang))
    title = label("drill.title" if drill.drill else "drill.title_incident", lang)
    severities = [s.severity for s in sections if s.severity]
    worst = "critical" if "critical" in severities else ("warning" if "warning" in severities else "ok")
    return Document(
        lang=lang,
        title=title,
        subtitle=label(
            "drill.subtitle",
            lang,
            system=drill.system,
            environment=drill.environment,
            date=_local(rebuild.started)[:10],
        ),
        facts=facts,
        sections=tuple(sections),
        signature=Signature(
            label("drill.ui.signature", lang),
            tuple(
                label(k, lang) for k in ("drill.ui.drill_lead", "drill.ui.om_manager", "drill.ui.sign_date")
            ),
        ),
        footer=label(
            "drill.footer",
            lang,
            version=sources.version,
            generated=_local(sources.generated),
            record=sources.record,
        ),
        severity=worst,
    )


# --- data (JSON) ------------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def drill_data(drill: Drill, lang: str, sources: Sources) -> dict[str, Any]:
    """The report's figures as data: what the record says plus what the report worked out from it."""
    rebuild = drill.rebuild
    projection = rebuild.projection
    return {
        "report": "medops.drill-report",
        "schema": SCHEMA,
        "lang": lang,
        "record": sources.record,
        "generated": _iso(sources.generated),
        "medops_version": sources.version,
        "id": drill.id,
        "system": drill.system,
        "environment": drill.environment,
        "drill": drill.drill,
        "headline": headline(drill, lang),
        "objective": {
            "rto_seconds": drill.budget_seconds,
            "rpo_seconds": drill.rpo_objective_seconds,
            "archive_timeout_seconds": drill.archive_timeout_seconds,
            "database_size_gb": drill.database_size_gb,
        },
        "rebuild": {
            "outcome": rebuild.outcome,
            "seconds": rebuild.seconds,
            "rto_seconds": rebuild.rto_seconds,
            "rto_from": rebuild.rto_from,
            "rto_met": rebuild.rto_met,
            "rpo_seconds": rebuild.rpo_seconds,
            "rpo_met": rebuild.rpo_met,
            "phases": [
                {"name": p.name, "label": _phase(p.name, lang), "seconds": p.seconds} for p in rebuild.phases
            ],
            "projected_phases": (
                [{"name": n, "seconds": s} for n, s in projected_phases(rebuild, projection)]
                if projection
                else None
            ),
            "projection_seconds": projection.total_seconds if projection else None,
            "projection_within_rto": projection.within_rto if projection else None,
        },
        "failback": (
            None
            if drill.failback is None
            else {
                "outcome": drill.failback.outcome,
                "seconds": drill.failback.seconds,
                "downtime_seconds": drill.failback.downtime_seconds,
                "checksums_equal": drill.failback.checksums_equal,
                "tables": len(drill.failback.checksums),
                "phases": [
                    {"name": p.name, "label": _phase(p.name, lang), "seconds": p.seconds}
                    for p in drill.failback.phases
                ],
            }
        ),
    }
