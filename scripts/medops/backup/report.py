"""The semiannual review worded as a report: a Document for Markdown and HTML, and data for JSON.

Everything a person reads comes from the label dictionaries of `medops.report.labels`, so the same review
renders in English or Simplified Chinese. Paths shown are relative to the repository (no machine paths in
records).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from medops.backup.info import BACKUP_TYPES, Backup, StanzaSummary
from medops.backup.restore_tests import RestoreTest
from medops.backup.review import ESTATE_TZ, BackupReview, Finding, Severity, SystemReview
from medops.report.document import Chart, Document, Facts, Paragraph, Section, Signature, Table
from medops.report.labels import duration, label, render, size
from medops.report.svg import Bar, Panel, bar_chart

SCHEMA = 1


@dataclass(frozen=True)
class Sources:
    """Where the review's inputs came from, as a reader of the record should see them."""

    policy: str  # e.g. inventory/lab/group_vars/all/backup_policy.yml
    records: str  # e.g. records/restore-tests
    info: str  # e.g. "backup1: pgbackrest --output=json info" or the file given
    version: str  # medops version
    generated: datetime


def _local(moment: datetime) -> str:
    return moment.astimezone(ESTATE_TZ).strftime("%Y-%m-%d %H:%M")


def _severity(severity: Severity, lang: str) -> str:
    return label(f"severity.{severity.value}", lang)


def _counts(findings: Sequence[Finding], lang: str) -> str:
    count = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
    return label(
        "ui.counts_value",
        lang,
        critical=count[Severity.CRITICAL],
        warning=count[Severity.WARNING],
        ok=count[Severity.OK],
    )


def _findings_table(findings: Sequence[Finding], lang: str, *, with_system: bool = False) -> Table:
    columns = [
        label(k, lang) for k in ("ui.check", "ui.severity", "ui.measured", "ui.expected", "ui.recommendation")
    ]
    rows = []
    for finding in findings:
        row = [
            label(f"check.{finding.check}", lang),
            _severity(finding.severity, lang),
            render(finding.measured, lang),
            render(finding.expected, lang),
            render(finding.recommendation, lang),
        ]
        rows.append(tuple([finding.system or "-", *row] if with_system else row))
    if with_system:
        columns.insert(0, label("ui.system", lang))
    return Table(
        columns=tuple(columns),
        rows=tuple(rows),
        severities=tuple(f.severity.value for f in findings),
        severity_column=2 if with_system else 1,
    )


def _policy_facts(system: SystemReview, lang: str) -> Facts:
    policy = system.policy
    schedule, retention, files = policy.schedule, policy.retention, policy.files
    none = label("ui.none", lang)
    return Facts(
        (
            (label("ui.rto", lang), label("unit.hours", lang, n=f"{policy.rto_hours:g}")),
            (label("ui.rpo", lang), label("unit.minutes", lang, n=policy.rpo_minutes)),
            (label("ui.db_estimate", lang), f"{policy.database_size_gb:g} GiB"),
            (
                label("ui.schedule", lang),
                label(
                    "ui.schedule_value",
                    lang,
                    full=schedule.full,
                    diff=schedule.diff,
                    incr=schedule.incr or none,
                    verify=schedule.verify,
                    restore_test=schedule.restore_test,
                ),
            ),
            (
                label("ui.retention", lang),
                label(
                    "ui.retention_value",
                    lang,
                    full=retention.full,
                    diff=retention.diff,
                    archive_full=retention.archive_full or retention.full,
                ),
            ),
            (
                label("ui.files", lang),
                label(
                    "ui.files_value",
                    lang,
                    paths=", ".join(files.paths),
                    schedule=files.schedule,
                    daily=files.keep_daily,
                    weekly=files.keep_weekly,
                    monthly=files.keep_monthly,
                ),
            ),
        )
    )


def _backups_table(summary: StanzaSummary, lang: str) -> Table:
    columns = (
        "ui.type",
        "ui.newest",
        "ui.age",
        "ui.duration",
        "ui.db_size",
        "ui.repo_size",
        "ui.count",
    )
    rows = []
    for backup_type in BACKUP_TYPES:
        newest = summary.newest.get(backup_type)
        count = str(summary.counts[backup_type])
        if newest is None:
            rows.append((label(f"type.{backup_type}", lang), "-", "-", "-", "-", "-", count))
            continue
        backup = newest.backup
        rows.append(
            (
                label(f"type.{backup_type}", lang),
                f"{backup.label} ({_local(backup.stop)})",
                duration(newest.age.total_seconds(), lang),
                duration(backup.duration.total_seconds(), lang),
                size(backup.database_size),
                size(backup.repo_delta),
                count,
            )
        )
    return Table(tuple(label(c, lang) for c in columns), tuple(rows), caption=label("ui.backups", lang))


def _wal_facts(summary: StanzaSummary, lang: str) -> Facts:
    wal = summary.wal
    state = label("ui.continuous" if wal.ok else "ui.broken", lang)
    return Facts(
        (
            (label("ui.wal", lang), f"{wal.min or '-'} … {wal.max or '-'}"),
            (label("ui.wal_continuity", lang), state),
        )
    )


def backup_chart(summary: StanzaSummary, lang: str) -> Chart:
    """Bars of each backup's size in the repository and its duration, oldest first, coloured by type."""
    backups: Sequence[Backup] = summary.stanza.backups
    name = summary.stanza.name
    fulls = [b for b in backups if b.type == "full"]
    ticked = {b.label for b in fulls} | ({backups[-1].label} if backups else set())

    def tooltip(backup: Backup) -> str:
        kind = label(f"type.{backup.type}", lang)
        return (
            f"{backup.label} ({kind}), {_local(backup.start)}: "
            f"{size(backup.repo_delta)}, {duration(backup.duration.total_seconds(), lang)}"
        )

    def bars(value: str) -> tuple[Bar, ...]:
        return tuple(
            Bar(
                value=float(b.repo_delta) if value == "size" else b.duration.total_seconds(),
                category=b.type,
                tooltip=tooltip(b),
                tick=_local(b.start)[5:10] if b.label in ticked else "",
            )
            for b in backups
        )

    title = label("ui.chart_title", lang, stanza=name)
    svg = bar_chart(
        (
            Panel(label("ui.repo_size", lang), bars("size"), size),
            Panel(label("ui.duration", lang), bars("duration"), lambda v: duration(v, lang)),
        ),
        [(t, label(f"type.{t}", lang)) for t in BACKUP_TYPES],
        label=label("ui.chart_alt", lang, count=len(backups), stanza=name),
    )
    fallback = Table(
        tuple(
            label(k, lang)
            for k in ("ui.backup_label", "ui.type", "ui.started", "ui.repo_size", "ui.duration")
        ),
        tuple(
            (
                b.label,
                label(f"type.{b.type}", lang),
                _local(b.start),
                size(b.repo_delta),
                duration(b.duration.total_seconds(), lang),
            )
            for b in backups
        ),
    )
    return Chart(title=title, svg=svg, fallback=fallback)


def _restore_table(tests: Sequence[RestoreTest], lang: str) -> Table:
    columns = ("ui.started", "ui.backup_label", "ui.duration", "ui.size", "ui.outcome", "ui.detail")
    return Table(
        tuple(label(c, lang) for c in columns),
        tuple(
            (
                _local(t.started_at),
                t.backup_label,
                duration(t.duration_seconds, lang),
                size(t.size_bytes),
                label(f"outcome.{t.outcome}", lang),
                t.detail,
            )
            for t in tests
        ),
        severities=tuple("ok" if t.passed else "critical" for t in tests),
        severity_column=4,
        caption=label("ui.restore_tests", lang),
    )


def _system_section(system: SystemReview, review: BackupReview, lang: str) -> Section:
    name = system.policy.name
    blocks: list[Any] = [_policy_facts(system, lang), _findings_table(system.findings, lang)]
    summary = system.stanza
    if summary is None:
        blocks.append(Paragraph(label("ui.stanza_missing", lang, stanza=name)))
    else:
        if not summary.stanza.ok:
            blocks.append(Paragraph(label("ui.not_judged", lang)))
        blocks += [
            _backups_table(summary, lang),
            _wal_facts(summary, lang),
        ]
        if summary.stanza.backups:
            blocks.append(backup_chart(summary, lang))
        else:
            blocks.append(Paragraph(label("ui.chart_none", lang)))
    since = str(review.last_review.date) if review.last_review else "-"
    if system.restore_tests:
        blocks.append(_restore_table(system.restore_tests, lang))
    else:
        blocks.append(Paragraph(label("ui.no_restore_tests", lang, since=since)))
    return Section(title=name, blocks=tuple(blocks), severity=system.severity.value)


def _history(review: BackupReview, lang: str) -> Table:
    columns = ("ui.date", "ui.reviewer", "ui.review_summary", "ui.next_due")
    return Table(
        tuple(label(c, lang) for c in columns),
        tuple((str(r.date), r.reviewer, r.summary, str(r.next_due)) for r in reversed(review.policy.reviews)),
        caption=label("ui.review_history", lang),
    )


def review_document(review: BackupReview, lang: str, sources: Sources) -> Document:
    """The review as a Document in `lang` ("en" or "zh-CN")."""
    policy = review.policy
    newest = policy.reviews[-1] if policy.reviews else None
    previous = review.last_review
    facts = Facts(
        (
            (label("ui.environment", lang), review.environment),
            (label("ui.date", lang), str(review.today)),
            (label("ui.as_of", lang), _local(review.as_of) + " (UTC+8)"),
            (label("ui.owner", lang), policy.owner),
            (label("ui.version", lang), str(policy.version)),
            (
                label("ui.last_review", lang),
                f"{previous.date} ({previous.reviewer})" if previous else label("ui.none", lang),
            ),
            (label("ui.next_due", lang), str(newest.next_due) if newest else "-"),
            (label("ui.result", lang), _severity(review.severity, lang)),
            (label("ui.counts", lang), _counts(review.all_findings, lang)),
        )
    )
    summary_rows = [
        (s.policy.name, _severity(s.severity, lang), _counts(s.findings, lang)) for s in review.systems
    ]
    policy_severity = max((f.severity for f in review.findings), key=lambda s: s.rank, default=Severity.OK)
    summary_rows.append(
        (label("ui.policy_findings", lang), _severity(policy_severity, lang), _counts(review.findings, lang))
    )
    summary = Section(
        title=label("ui.summary", lang),
        blocks=(
            Paragraph(label("ui.summary_intro", lang, environment=review.environment)),
            Table(
                tuple(label(k, lang) for k in ("ui.system", "ui.severity", "ui.findings")),
                tuple(summary_rows),
                severities=(*(s.severity.value for s in review.systems), policy_severity.value),
                severity_column=1,
            ),
        ),
        severity=review.severity.value,
    )
    repository = policy.repository
    policy_section = Section(
        title=label("ui.policy_findings", lang),
        blocks=(
            _findings_table(review.findings, lang),
            Facts(
                (
                    (
                        label("ui.repository", lang),
                        label(
                            "ui.repository_value",
                            lang,
                            cipher=repository.cipher_type,
                            compress=repository.compress_type,
                            level=repository.compress_level,
                            backup=repository.process_max_backup,
                            restore=repository.process_max_restore,
                        ),
                    ),
                )
            ),
            _history(review, lang),
        ),
        severity=policy_severity.value,
    )
    return Document(
        lang=lang,
        title=label("review.title", lang),
        subtitle=label("review.subtitle", lang, environment=review.environment, date=str(review.today)),
        facts=facts,
        sections=(summary, *(_system_section(s, review, lang) for s in review.systems), policy_section),
        signature=Signature(
            label("ui.signature", lang),
            tuple(label(k, lang) for k in ("ui.reviewed_by", "ui.sign_date", "ui.signature_line")),
        ),
        footer=label(
            "ui.footer",
            lang,
            version=sources.version,
            generated=_local(sources.generated),
            records=sources.records,
            policy=sources.policy,
        ),
        severity=review.severity.value,
    )


def _finding_data(finding: Finding, lang: str) -> dict[str, Any]:
    return {
        "system": finding.system or None,
        "check": finding.check,
        "check_label": label(f"check.{finding.check}", lang),
        "severity": finding.severity.value,
        "measured": render(finding.measured, lang),
        "expected": render(finding.expected, lang),
        "recommendation": render(finding.recommendation, lang),
    }


def _backup_data(backup: Backup) -> dict[str, Any]:
    return {
        "label": backup.label,
        "type": backup.type,
        "start": backup.start.isoformat(),
        "stop": backup.stop.isoformat(),
        "duration_seconds": backup.duration.total_seconds(),
        "database_size_bytes": backup.database_size,
        "repository_size_bytes": backup.repo_size,
        "repository_delta_bytes": backup.repo_delta,
        "wal_start": backup.wal_start,
        "wal_stop": backup.wal_stop,
        "error": backup.error,
    }


def _stanza_data(summary: StanzaSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    stanza, wal = summary.stanza, summary.wal
    return {
        "status": {"code": stanza.status_code, "message": stanza.status_text},
        "counts": dict(summary.counts),
        "newest": {
            t: {**_backup_data(n.backup), "age_seconds": n.age.total_seconds()}
            for t, n in summary.newest.items()
        },
        "wal": {
            "min": wal.min,
            "max": wal.max,
            "continuous": wal.ok,
            "gaps": [{"label": g.label, "wal": g.wal, "edge": g.edge} for g in wal.gaps],
        },
        "backups": [_backup_data(b) for b in stanza.backups],
    }


def review_data(review: BackupReview, lang: str, sources: Sources) -> dict[str, Any]:
    """The review as JSON-ready data: measured values as numbers, findings worded in `lang`."""
    policy = review.policy
    previous = review.last_review
    return {
        "report": "medops.backup-review",
        "schema": SCHEMA,
        "lang": lang,
        "environment": review.environment,
        "date": str(review.today),
        "as_of": review.as_of.isoformat(),
        "generated": sources.generated.isoformat(),
        "medops_version": sources.version,
        "sources": {"policy": sources.policy, "records": sources.records, "info": sources.info},
        "severity": review.severity.value,
        "counts": {s.value: review.count(s) for s in Severity},
        "policy": {
            "owner": policy.owner,
            "version": policy.version,
            "previous_review": (
                {"date": str(previous.date), "reviewer": previous.reviewer, "summary": previous.summary}
                if previous
                else None
            ),
            "next_due": str(policy.reviews[-1].next_due) if policy.reviews else None,
        },
        "findings": [_finding_data(f, lang) for f in review.all_findings],
        "systems": [
            {
                "name": s.policy.name,
                "severity": s.severity.value,
                "rto_hours": s.policy.rto_hours,
                "rpo_minutes": s.policy.rpo_minutes,
                "database_size_gb": s.policy.database_size_gb,
                "stanza": _stanza_data(s.stanza),
                "restore_tests": [
                    {
                        "started_at": t.started_at.isoformat(),
                        "finished_at": t.finished_at.isoformat(),
                        "duration_seconds": t.duration_seconds,
                        "backup_label": t.backup_label,
                        "size_bytes": t.size_bytes,
                        "outcome": t.outcome,
                        "detail": t.detail,
                        "record": t.source,
                    }
                    for t in s.restore_tests
                ],
            }
            for s in review.systems
        ],
    }
