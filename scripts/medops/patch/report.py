"""Patch proposals and the yearly compliance status as Documents (English or Chinese)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from medops.patch.plan import HostPlan, Proposal
from medops.patch.status import CYCLES_PER_YEAR, PatchStatus
from medops.report.document import Document, Facts, Paragraph, Section, Signature, Table
from medops.report.labels import label

BEIJING = timezone(timedelta(hours=8), "CST")


def _local(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _yes(flag: bool, lang: str) -> str:
    return label("patch.yes" if flag else "patch.no", lang)


def _reboot(plan: HostPlan, lang: str) -> str:
    if not plan.reboot_likely:
        return label("patch.no", lang)
    if plan.container != "none":
        return label("patch.container", lang, kind=plan.container)
    return label("patch.likely", lang)


def _summary_table(proposal: Proposal, lang: str) -> Table:
    columns = (
        "patch.host",
        "patch.os",
        "patch.packages",
        "patch.security",
        "patch.services",
        "patch.reboot",
        "patch.removals",
    )
    rows = tuple(
        (
            h.host,
            h.os,
            str(len(h.packages)),
            str(h.security_count),
            ", ".join(h.services) or "-",
            _reboot(h, lang),
            ", ".join(n for n, _ in h.removals) or "-",
        )
        for h in proposal.hosts
    )
    return Table(tuple(label(c, lang) for c in columns), rows, severities=())


def _host_section(plan: HostPlan, lang: str) -> Section:
    blocks: list[Paragraph | Facts | Table] = [
        Facts(
            (
                (label("patch.os", lang), plan.os),
                (label("patch.created", lang), _local(plan.collected_at) + " (UTC+8)"),
                (label("patch.reboot", lang), _reboot(plan, lang)),
            )
        )
    ]
    if not plan.packages:
        blocks.append(Paragraph(label("patch.nothing", lang)))
    else:
        columns = (
            "patch.package",
            "patch.from",
            "patch.to",
            "patch.security",
            "patch.origin",
            "patch.reboot",
        )
        blocks.append(
            Table(
                tuple(label(c, lang) for c in columns),
                tuple(
                    (
                        p.name,
                        p.installed or label("patch.new", lang),
                        p.target,
                        _yes(p.security, lang),
                        ", ".join(p.origins),
                        label("patch.likely", lang) if p.reboot_likely else "-",
                    )
                    for p in plan.packages
                ),
                severities=tuple("critical" if p.security else "" for p in plan.packages),
            )
        )
        services = ", ".join(plan.services)
        blocks.append(
            Paragraph(
                label("patch.services_list", lang, services=services)
                if services
                else label("patch.services_none", lang)
            )
        )
        if plan.pid1:
            blocks.append(Paragraph(label("patch.pid1", lang)))
    if plan.removals:
        names = ", ".join(f"{n} {v}" for n, v in plan.removals)
        blocks.append(Paragraph(label("patch.removals_warning", lang, packages=names)))
    if plan.held_back:
        blocks.append(Paragraph(label("patch.held_back", lang, count=plan.held_back)))
    return Section(title=plan.host, blocks=tuple(blocks), severity="warning" if plan.removals else "")


def proposal_document(proposal: Proposal, lang: str, version: str, generated: datetime) -> Document:
    packages = sum(len(h.packages) for h in proposal.hosts)
    security = sum(h.security_count for h in proposal.hosts)
    reboot = ", ".join(h.host for h in proposal.hosts if h.reboot_likely) or label("patch.no", lang)
    facts = Facts(
        (
            (label("patch.id", lang), proposal.id),
            (label("ui.environment", lang), proposal.environment),
            (label("patch.created", lang), _local(proposal.created) + " (UTC+8)"),
            (label("patch.created_by", lang), proposal.created_by),
            (label("patch.hosts", lang), str(len(proposal.hosts))),
            (label("patch.packages", lang), str(packages)),
            (label("patch.security", lang), str(security)),
            (label("patch.reboot_hosts", lang), reboot),
            (label("patch.hash", lang), proposal.content_hash),
        )
    )
    summary = Section(
        title=label("patch.summary", lang),
        blocks=(Paragraph(label("patch.summary_intro", lang)), _summary_table(proposal, lang)),
    )
    return Document(
        lang=lang,
        title=label("patch.title", lang),
        subtitle=label("patch.subtitle", lang, environment=proposal.environment, id=proposal.id),
        facts=facts,
        sections=(summary, *(_host_section(h, lang) for h in proposal.hosts)),
        signature=Signature(
            label("patch.approval", lang),
            tuple(
                label(k, lang)
                for k in ("patch.change_id", "patch.approved_by", "ui.sign_date", "ui.signature_line")
            ),
        ),
        footer=label(
            "patch.footer",
            lang,
            version=version,
            generated=_local(generated),
            source="playbooks/patch-plan.yml (apt-get -s dist-upgrade, apt-cache policy)",
        ),
    )


def status_document(status: PatchStatus, lang: str, version: str, generated: datetime) -> Document:
    columns = (
        "patch.host",
        "patch.cycles",
        "patch.cycles_due",
        "patch.changes",
        "patch.plan",
        "patch.pending_security",
        "patch.result",
    )
    rows = []
    for host in status.hosts:
        overdue = sum(1 for p in host.pending if p.overdue)
        pending = str(len(host.pending))
        if overdue:
            pending += f" ({label('patch.overdue', lang, days=status.max_age_days)}: {overdue})"
        rows.append(
            (
                host.host,
                label("patch.cycles_value", lang, count=len(host.cycles), required=CYCLES_PER_YEAR),
                str(host.due_now),
                ", ".join(f"{r.change_id} ({_local(r.finished)[:10]})" for r in host.cycles) or "-",
                f"{host.plan} ({host.plan_date})" if host.plan else "-",
                pending,
                label(f"severity.{host.severity.value}", lang),
            )
        )
    hosts_table = Table(
        tuple(label(c, lang) for c in columns),
        tuple(rows),
        severities=tuple(h.severity.value for h in status.hosts),
        severity_column=6,
    )
    fixes = [(h.host, p) for h in status.hosts for p in h.pending]
    pending_blocks: tuple[Paragraph | Table, ...]
    if fixes:
        pending_blocks = (
            Table(
                tuple(
                    label(c, lang)
                    for c in ("patch.host", "patch.package", "patch.to", "patch.first_seen", "patch.age_days")
                ),
                tuple((h, p.package, p.version, p.first_seen.isoformat(), str(p.age_days)) for h, p in fixes),
                severities=tuple("critical" if p.overdue else "" for _, p in fixes),
            ),
        )
    else:
        pending_blocks = (Paragraph(label("patch.pending_none", lang)),)
    sections = [
        Section(
            title=label("patch.summary", lang),
            blocks=(Paragraph(label("patch.status_intro", lang, days=status.max_age_days)), hosts_table),
            severity=status.severity.value,
        ),
        Section(title=label("patch.pending_title", lang), blocks=pending_blocks),
    ]
    if status.problems:
        sections.append(
            Section(
                title=label("patch.problems", lang),
                blocks=tuple(Paragraph(p) for p in status.problems),
                severity="warning",
            )
        )
    return Document(
        lang=lang,
        title=label("patch.status_title", lang, year=status.year),
        subtitle=label("patch.status_subtitle", lang, environment=status.environment, date=str(status.today)),
        facts=Facts(
            (
                (label("ui.environment", lang), status.environment),
                (label("ui.result", lang), label(f"severity.{status.severity.value}", lang)),
            )
        ),
        sections=tuple(sections),
        footer=label(
            "patch.footer", lang, version=version, generated=_local(generated), source="records/patches"
        ),
        severity=status.severity.value,
    )
