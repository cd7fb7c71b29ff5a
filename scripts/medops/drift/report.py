"""The drift report worded from its data (drift_data): a Document for HTML and Markdown, and terminal lines.

Built from the JSON data only, so the same words come out in English or Chinese at any time. Diffs are
shown as unified diffs; the data they come from was redacted when it was read.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from medops.report.document import Code, Document, Facts, Paragraph, Section, Table
from medops.report.labels import label

ESTATE_TZ = timezone(timedelta(hours=8), "CST")
SEVERITY = {"clean": "ok", "drift": "critical", "incomplete": "warning"}
MAX_DIFF_LINES = 200


def _local(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(ESTATE_TZ).strftime("%Y-%m-%d %H:%M")


def unified(diff: Mapping[str, Any]) -> str:
    """One diff entry as unified diff text (a module's own `prepared` text when it gave one)."""
    if diff.get("prepared"):
        return str(diff["prepared"])
    before = str(diff.get("before", "")).splitlines()
    after = str(diff.get("after", "")).splitlines()
    lines = list(
        difflib.unified_diff(
            before,
            after,
            str(diff.get("before_header") or "before"),
            str(diff.get("after_header") or "after"),
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more lines"]
    return "\n".join(lines)


def _status(host: Mapping[str, Any], lang: str) -> str:
    return label("drift.status." + host["status"], lang)


def _result(data: Mapping[str, Any], lang: str) -> str:
    counts = data["counts"]
    if counts["incomplete"]:
        return label("drift.ui.result_incomplete", lang, count=counts["incomplete"])
    if counts["drift"]:
        return label("drift.ui.result_drift", lang, count=counts["drift"])
    return label("drift.ui.result_none", lang)


def _summary(data: Mapping[str, Any], lang: str) -> Section:
    rows = []
    for host in data["hosts"]:
        rows.append(
            (
                host["name"],
                ", ".join(host["groups"]) or "-",
                label(f"drift.status.{host['status']}", lang),
                str(len(host["changes"])),
                str(len(host["findings"])),
                str(len(host["blind_spots"])),
            )
        )
    columns = ("host", "groups", "status", "changes", "unmanaged", "blind")
    table = Table(
        tuple(label(f"drift.ui.{c}", lang) for c in columns),
        tuple(rows),
        severities=tuple(SEVERITY[h["status"]] for h in data["hosts"]),
        severity_column=2,
    )
    blocks: list[Any] = [Paragraph(label("drift.ui.intro", lang)), table]
    if data.get("unredacted_short_values"):
        names = ", ".join(data["unredacted_short_values"])
        blocks.append(Paragraph(label("drift.ui.too_short", lang, names=names)))
    worst = "critical" if data["counts"]["drift"] else ("warning" if data["counts"]["incomplete"] else "ok")
    return Section(label("drift.ui.summary", lang), tuple(blocks), worst)


def _changes(host: Mapping[str, Any], lang: str) -> list[Any]:
    blocks: list[Any] = []
    if not host["changes"]:
        blocks.append(Paragraph(label("drift.ui.no_changes", lang)))
    else:
        blocks.append(
            Table(
                tuple(label(f"drift.ui.{c}", lang) for c in ("role", "task", "item", "action")),
                tuple(
                    (
                        c["role"],
                        c["task"],
                        c.get("path") or c.get("item") or "-",
                        label("drift.act.change", lang),
                    )
                    for c in host["changes"]
                ),
                severities=tuple("critical" for _ in host["changes"]),
                caption=label("drift.ui.would_change", lang),
            )
        )
    for change in host["changes"]:
        caption = label(
            "drift.ui.diff",
            lang,
            role=change["role"],
            task=change["task"],
            item=change.get("path") or change.get("item") or "",
        )
        if change["censored"]:
            blocks.append(Paragraph(f"{caption}: {label('drift.ui.censored', lang)}"))
        elif not change["diff"]:
            blocks.append(Paragraph(f"{caption}: {label('drift.ui.no_diff', lang)}"))
        for diff in change["diff"]:
            blocks.append(Code(unified(diff), caption))
    if host["handlers"]:
        blocks.append(Paragraph(label("drift.ui.handlers", lang, handlers="; ".join(host["handlers"]))))
    if host["fact_version_only"]:
        blocks.append(Paragraph(label("drift.ui.fact_only", lang)))
    return blocks


def _host(host: Mapping[str, Any], lang: str) -> Section:
    blocks = _changes(host, lang)
    if host["findings"]:
        blocks.append(
            Table(
                tuple(label(f"drift.ui.{c}", lang) for c in ("kind", "subject", "detail", "action")),
                tuple(
                    (
                        label(f"drift.kind.{f['kind']}", lang),
                        f["subject"],
                        f["detail"],
                        label(f"drift.act.{f['kind']}", lang),
                    )
                    for f in host["findings"]
                ),
                severities=tuple("critical" for _ in host["findings"]),
                caption=label("drift.ui.not_managed", lang),
            )
        )
    else:
        blocks.append(Paragraph(label("drift.ui.no_findings", lang)))
    if host["failures"]:
        blocks.append(
            Table(
                (label("drift.ui.failure", lang),),
                tuple((f,) for f in host["failures"]),
                severities=tuple("warning" for _ in host["failures"]),
                caption=label("drift.ui.failed", lang),
            )
        )
    title = f"{host['name']}: {_status(host, lang)}"
    return Section(title, tuple(blocks), SEVERITY[host["status"]])


def _blind(data: Mapping[str, Any], lang: str) -> Section:
    rows = [
        (host["name"], b["role"], b["task"], b["reason"])
        for host in data["hosts"]
        for b in host["blind_spots"]
    ]
    blocks: list[Any] = [Paragraph(label("drift.ui.blind_intro", lang))]
    if rows:
        columns = ("host", "role", "task", "reason")
        blocks.append(Table(tuple(label(f"drift.ui.{c}", lang) for c in columns), tuple(rows)))
    else:
        blocks.append(Paragraph(label("drift.ui.blind_none", lang)))
    return Section(label("drift.ui.blind_title", lang), tuple(blocks))


def drift_document(data: Mapping[str, Any], lang: str, version: str) -> Document:
    facts = [
        (label("drift.ui.environment", lang), str(data["environment"])),
        (label("drift.ui.generated", lang), _local(data["started_at"])),
        (label("drift.ui.playbook", lang), f"{data['playbook']}, {', '.join(data['inventory'])}"),
        (label("drift.ui.limit", lang), ", ".join(h["name"] for h in data["hosts"]) or "-"),
        (label("drift.ui.result", lang), _result(data, lang)),
    ]
    if data.get("ara_run"):
        facts.append((label("drift.ui.ara", lang), str(data["ara_run"])))
    sections = [_summary(data, lang), *(_host(h, lang) for h in data["hosts"]), _blind(data, lang)]
    worst = sections[0].severity
    return Document(
        lang=lang,
        title=label("drift.title", lang),
        subtitle=label(
            "drift.subtitle", lang, environment=data["environment"], date=_local(data["started_at"])
        ),
        facts=Facts(tuple(facts)),
        sections=tuple(sections),
        footer=label(
            "drift.ui.footer",
            lang,
            version=version,
            generated=_local(data["finished_at"]),
            playbook=data["playbook"],
            inventory=", ".join(data["inventory"]),
        ),
        severity=worst,
    )


def terminal_lines(data: Mapping[str, Any], lang: str) -> list[str]:
    lines = [f"{label('drift.title', lang)}: {_result(data, lang)}"]
    for host in data["hosts"]:
        lines.append(f"  {host['name']}: {_status(host, lang)}")
        for change in host["changes"]:
            where = change.get("path") or change.get("item") or ""
            lines.append(f"    ~ {change['role']}: {change['task']} {where}".rstrip())
        for finding in host["findings"]:
            kind = label("drift.kind." + finding["kind"], lang)
            lines.append(f"    + {kind} {finding['subject']}: {finding['detail']}")
        for failure in host["failures"]:
            lines.append(f"    ! {failure}")
    return lines


def written_names(stamp: str, langs: Sequence[str]) -> list[str]:
    return [f"{stamp}.{lang}.{ext}" for lang in langs for ext in ("html", "md", "json")]
