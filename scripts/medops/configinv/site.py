"""The auditors' static site: an index by system and host (searchable), one page per host, CSV files.

Built from snapshots only (`site_files` is pure: snapshots in, file name → text out), in English and
Chinese. Host pages are Documents rendered by medops.report.render (the shared print CSS, no scripts);
the index adds links and a search box (a few lines of inline JavaScript that only hide table rows; the page
reads the same without it). Nothing is fetched from anywhere, so the folder can be archived or mailed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import jinja2

from medops.configinv.history import Cause, Change, causes, history
from medops.report.document import Code, Document, Facts, Paragraph, Section, Table
from medops.report.labels import label, size
from medops.report.render import CSS, to_html

ESTATE_TZ = timezone(timedelta(hours=8), "CST")
SYSTEMS = ("qcis", "chfms")
LANGS = ("en", "zh-CN")

INDEX = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><style>{{ css|safe }}
input.search { width: 100%; padding: 2mm; font-size: 11pt; margin: 0 0 4mm; box-sizing: border-box; }
@media print { input.search, nav { display: none; } }
</style></head>
<body>
<header><h1>{{ title }}</h1><p class="subtitle">{{ subtitle }}</p>
<dl class="facts">{% for term, value in facts %}<dt>{{ term }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
<nav>{% for other, name in languages %}<a href="{{ other }}">{{ name }}</a> {% endfor %}</nav>
</header>
<p>{{ intro }}</p>
<input class="search" type="search" id="search" placeholder="{{ search }}" aria-label="{{ search }}">
{% for system, rows in groups %}
<section><h2>{{ system }}</h2>
<table><thead><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr data-search="{{ row.search }}"><td><a href="{{ row.href }}">{{ row.name }}</a></td>
{% for cell in row.cells %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></section>
{% endfor %}
<p>{{ csv_note }}</p>
<footer>{{ footer }}</footer>
<script>
document.getElementById("search").addEventListener("input", function (event) {
  var words = event.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
  document.querySelectorAll("tr[data-search]").forEach(function (row) {
    var text = row.getAttribute("data-search");
    row.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
  });
});
</script>
</body></html>
"""
)


def _local(text: str | None) -> str:
    if not text:
        return "-"
    try:
        return (
            datetime.fromisoformat(text.replace("Z", "+00:00"))
            .astimezone(ESTATE_TZ)
            .strftime("%Y-%m-%d %H:%M")
        )
    except ValueError:
        return text


def _suffix(lang: str) -> str:
    return "" if lang == "en" else f".{lang}"


def host_file(name: str, lang: str) -> str:
    return f"hosts/{name}{_suffix(lang)}.html"


def _yes(value: object, lang: str) -> str:
    return label("cinv.ui.yes" if value else "cinv.ui.no", lang)


def _table(lang: str, columns: Sequence[str], rows: Sequence[Sequence[object]], caption: str = "") -> Table:
    return Table(
        tuple(label(f"cinv.ui.{c}", lang) for c in columns),
        tuple(tuple(str(v) for v in row) for row in rows),
        caption=caption,
    )


def _cause_text(found: Sequence[Cause], lang: str) -> str:
    if not found:
        return label("cinv.ui.cause_unknown", lang)
    return "; ".join(f"{c.text} ({c.source}{', ' + c.run if c.run else ''})" for c in found)


def _history_section(
    entry: Mapping[str, Any], changes: Sequence[Change], recorded: Sequence[Mapping[str, Any]], lang: str
) -> Section:
    if not changes:
        return Section(label("cinv.ui.history", lang), (Paragraph(label("cinv.ui.history_none", lang)),))
    rows = []
    window_causes: dict[tuple[str, str], str] = {}
    for change in changes:
        key = (change.since, change.at)
        if key not in window_causes:
            found = causes(
                change.host,
                groups=entry.get("groups") or [],
                entry=entry,
                since=change.since,
                at=change.at,
                recorded=recorded,
            )
            window_causes[key] = _cause_text(found, lang)
        rows.append(
            (
                _local(change.at),
                label(f"cinv.what.{change.what}", lang),
                change.subject,
                change.before or "-",
                change.after or "-",
                window_causes[key],
            )
        )
    columns = ("when", "what", "item", "before", "after", "cause")
    return Section(label("cinv.ui.history", lang), (_table(lang, columns, rows),))


def _records_section(entry: Mapping[str, Any], lang: str) -> Section:
    blocks: list[Any] = []
    backup = entry.get("backup") or {}
    items = []
    if backup:
        items.append(
            (
                label("cinv.ui.backup", lang),
                label(
                    "cinv.ui.backup_value",
                    lang,
                    system=backup.get("system", "-"),
                    rpo=backup.get("rpo_minutes", "-"),
                    rto=backup.get("rto_hours", "-"),
                    full=backup.get("full", "-"),
                    restore=backup.get("restore_test", "-"),
                ),
            )
        )
    review = entry.get("last_review") or {}
    items.append(
        (
            label("cinv.ui.last_review", lang),
            f"{review.get('date', '-')} {review.get('reviewer', '')}".strip(),
        )
    )
    inspection = entry.get("last_inspection") or {}
    items.append(
        (
            label("cinv.ui.inspection", lang),
            label(
                "cinv.ui.inspection_value",
                lang,
                week=inspection.get("week", "-"),
                status=inspection.get("status", "-"),
            )
            if inspection
            else label("cinv.ui.none", lang),
        )
    )
    drill = entry.get("last_drill") or {}
    items.append(
        (
            label("cinv.ui.drill", lang),
            label(
                "cinv.ui.drill_value",
                lang,
                date=_local(drill.get("started_at")),
                rto=drill.get("rto_seconds", "-"),
                rpo=drill.get("rpo_seconds", "-"),
            )
            if drill
            else label("cinv.ui.none", lang),
        )
    )
    blocks.append(Facts(tuple(items)))
    patches = entry.get("patches") or []
    if patches:
        blocks.append(
            _table(
                lang,
                ("change_id", "finished", "outcome"),
                [(p.get("change_id"), _local(p.get("finished")), p.get("outcome")) for p in patches],
                label("cinv.ui.patches", lang),
            )
        )
    else:
        blocks.append(Paragraph(f"{label('cinv.ui.patches', lang)}: {label('cinv.ui.none', lang)}"))
    return Section(label("cinv.ui.backup", lang), tuple(blocks))


def _state_sections(entry: Mapping[str, Any], lang: str) -> list[Section]:
    hardware, os_info = entry.get("hardware") or {}, entry.get("os") or {}
    return [
        Section(
            label("cinv.ui.hardware", lang),
            (
                Facts(
                    (
                        (label("cinv.ui.cpus", lang), str(hardware.get("cpus", "-"))),
                        (label("cinv.ui.cpu_model", lang), str(hardware.get("cpu_model") or "-")),
                        (label("cinv.ui.memory", lang), size(hardware.get("memory_bytes") or 0)),
                        (label("cinv.ui.virtualization", lang), str(hardware.get("virtualization") or "-")),
                        (
                            label("cinv.ui.disks", lang),
                            ", ".join(
                                f"{d['name']} {size(d['size_bytes'])}" for d in hardware.get("disks") or []
                            )
                            or "-",
                        ),
                        (label("cinv.ui.os", lang), str(os_info.get("pretty", "-"))),
                        (label("cinv.ui.kernel", lang), str(os_info.get("kernel", "-"))),
                        (label("cinv.ui.release", lang), str(entry.get("app_release") or "-")),
                    )
                ),
            ),
        ),
        Section(
            label("cinv.ui.roles", lang),
            (
                _table(
                    lang,
                    ("role", "version", "applied_at"),
                    [
                        (r, d.get("version"), _local(d.get("applied_at")))
                        for r, d in (entry.get("roles") or {}).items()
                    ],
                ),
            ),
        ),
        Section(
            label("cinv.ui.services", lang),
            (
                _table(
                    lang,
                    ("unit", "active", "enabled"),
                    [
                        (s["unit"], f"{s['active']}/{s['sub']}", s["enabled"] or "-")
                        for s in entry.get("services") or []
                    ],
                ),
            ),
        ),
        Section(
            label("cinv.ui.ports", lang),
            (
                _table(
                    lang,
                    ("proto", "address", "port", "process"),
                    [
                        (x["proto"], x["address"], x["port"], x["process"] or "-")
                        for x in entry.get("listeners") or []
                    ],
                ),
            ),
        ),
        Section(
            label("cinv.ui.accounts", lang),
            (
                _table(
                    lang,
                    ("account", "uid", "shell", "password", "keys", "login", "sudo"),
                    [
                        (
                            a["name"],
                            a["uid"],
                            a["shell"],
                            a["password"],
                            a["keys"],
                            _yes(a["login"], lang),
                            _yes(a["sudo"], lang),
                        )
                        for a in entry.get("accounts") or []
                    ],
                ),
                Code("\n".join(entry.get("sudo_rules") or []) or "-", label("cinv.ui.sudo_rules", lang)),
            ),
        ),
        Section(label("cinv.ui.firewall", lang), (Code(str(entry.get("firewall") or "-")),)),
        Section(
            label("cinv.ui.postgresql", lang),
            (
                _table(
                    lang,
                    ("setting", "value"),
                    [
                        (f"{cluster} {name}", value)
                        for cluster, settings in (entry.get("postgresql") or {}).items()
                        for name, value in settings.items()
                    ],
                ),
            ),
        ),
        Section(
            label("cinv.ui.certificates", lang),
            (
                _table(
                    lang,
                    ("path", "subject", "not_after"),
                    [
                        (f"{c['path']} #{c['index']}", c["subject"], _local(c["not_after"]))
                        for c in entry.get("certificates") or []
                    ],
                ),
            ),
        ),
        Section(
            label("cinv.ui.packages", lang),
            (_table(lang, ("package", "version"), sorted((entry.get("packages") or {}).items())),),
        ),
    ]


def host_document(
    snapshot: Mapping[str, Any],
    *,
    entry: Mapping[str, Any],
    changes: Sequence[Change],
    recorded: Sequence[Mapping[str, Any]],
    lang: str,
    version: str,
    generated: str,
) -> Document:
    facts = [
        (label("cinv.ui.environment", lang), str(snapshot.get("environment"))),
        (label("cinv.ui.snapshot", lang), _local(snapshot.get("taken_at"))),
        (label("cinv.ui.groups", lang), ", ".join(entry.get("groups") or []) or "-"),
    ]
    sections: list[Section] = []
    if not entry.get("reached"):
        sections.append(
            Section(
                label("cinv.ui.hardware", lang),
                (Paragraph(label("cinv.ui.unreached", lang, error=entry.get("error") or "-")),),
                "warning",
            )
        )
    else:
        sections += _state_sections(entry, lang)
    sections.insert(0, _records_section(entry, lang))
    sections.insert(0, _history_section(entry, changes, recorded, lang))
    return Document(
        lang=lang,
        title=label("cinv.host_title", lang, host=entry["name"]),
        subtitle=label(
            "cinv.subtitle",
            lang,
            environment=snapshot.get("environment"),
            date=_local(snapshot.get("taken_at")),
        ),
        facts=Facts(tuple(facts)),
        sections=tuple(sections),
        footer=label(
            "cinv.ui.footer", lang, version=version, generated=generated, source=snapshot.get("_source", "-")
        ),
    )


CSV_TABLES: Mapping[str, tuple[str, ...]] = {
    "hosts": ("host", "groups", "os", "kernel", "cpus", "memory", "release", "snapshot"),
    "packages": ("host", "package", "version"),
    "services": ("host", "unit", "active", "enabled"),
    "ports": ("host", "proto", "address", "port", "process"),
    "accounts": ("host", "account", "uid", "shell", "password", "keys", "login", "sudo"),
    "changes": ("host", "when", "what", "item", "before", "after"),
}


def _csv_rows(
    snapshot: Mapping[str, Any], changes: Mapping[str, Sequence[Change]]
) -> dict[str, list[tuple[object, ...]]]:
    rows: dict[str, list[tuple[object, ...]]] = {name: [] for name in CSV_TABLES}
    for entry in snapshot.get("hosts") or []:
        name = entry["name"]
        hardware, os_info = entry.get("hardware") or {}, entry.get("os") or {}
        rows["hosts"].append(
            (
                name,
                " ".join(entry.get("groups") or []),
                os_info.get("pretty", ""),
                os_info.get("kernel", ""),
                hardware.get("cpus", ""),
                hardware.get("memory_bytes", ""),
                entry.get("app_release", ""),
                snapshot.get("taken_at"),
            )
        )
        rows["packages"] += [(name, p, v) for p, v in (entry.get("packages") or {}).items()]
        rows["services"] += [
            (name, s["unit"], f"{s['active']}/{s['sub']}", s["enabled"]) for s in entry.get("services") or []
        ]
        rows["ports"] += [
            (name, x["proto"], x["address"], x["port"], x["process"]) for x in entry.get("listeners") or []
        ]
        rows["accounts"] += [
            (name, a["name"], a["uid"], a["shell"], a["password"], a["keys"], a["login"], a["sudo"])
            for a in entry.get("accounts") or []
        ]
        rows["changes"] += [(name, c.at, c.what, c.subject, c.before, c.after) for c in changes.get(name, [])]
    return rows


def _csv(columns: Sequence[str], rows: Sequence[Sequence[object]], lang: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([label(f"cinv.ui.{c}" if c != "snapshot" else "cinv.ui.snapshot", lang) for c in columns])
    writer.writerows(rows)
    # A BOM, so spreadsheet programs read the Chinese headers as UTF-8.
    return "\ufeff" + out.getvalue()


def _search_text(entry: Mapping[str, Any]) -> str:
    words = [entry["name"], *(entry.get("groups") or []), str((entry.get("os") or {}).get("pretty", ""))]
    words += list(entry.get("packages") or {})
    words += [s["unit"] for s in entry.get("services") or []]
    words += [f"{x['proto']}/{x['port']}" for x in entry.get("listeners") or []]
    words += [a["name"] for a in entry.get("accounts") or []]
    return " ".join(words).lower()


def site_files(
    snapshots: Sequence[Mapping[str, Any]],
    recorded: Sequence[Mapping[str, Any]],
    version: str,
    generated: str,
    langs: Sequence[str] = LANGS,
) -> dict[str, str]:
    """file name (relative to the site folder) → text, from the snapshots (oldest first)."""
    if not snapshots:
        return {}
    latest = snapshots[-1]
    changes = history(snapshots)
    files: dict[str, str] = {}
    csv_rows = _csv_rows(latest, changes)
    for lang in langs:
        for table, columns in CSV_TABLES.items():
            files[f"csv/{table}{_suffix(lang)}.csv"] = _csv(columns, csv_rows[table], lang)
        groups: dict[str, list[dict[str, Any]]] = {}
        for entry in latest.get("hosts") or []:
            mine = changes.get(entry["name"], [])
            files[host_file(entry["name"], lang)] = to_html(
                host_document(
                    latest,
                    entry=entry,
                    changes=mine,
                    recorded=recorded,
                    lang=lang,
                    version=version,
                    generated=generated,
                )
            )
            system = next((s for s in SYSTEMS if s in (entry.get("groups") or [])), "")
            os_info, hardware = entry.get("os") or {}, entry.get("hardware") or {}
            groups.setdefault(system, []).append(
                {
                    "name": entry["name"],
                    "href": host_file(entry["name"], lang),
                    "search": _search_text(entry),
                    "cells": (
                        ", ".join(entry.get("groups") or []),
                        os_info.get("pretty", "-")
                        if entry.get("reached")
                        else label("cinv.ui.unreached", lang, error=entry.get("error") or "-"),
                        os_info.get("kernel", "-"),
                        hardware.get("cpus", "-"),
                        size(hardware.get("memory_bytes") or 0),
                        len(entry.get("packages") or {}),
                        entry.get("app_release") or "-",
                        _local(mine[0].at) if mine else "-",
                    ),
                }
            )
        ordered = [
            (
                label("cinv.ui.system", lang) + f": {s}" if s else label("cinv.ui.system_other", lang),
                groups[s],
            )
            for s in (*SYSTEMS, "")
            if s in groups
        ]
        csv_names = ", ".join(f"csv/{t}{_suffix(lang)}.csv" for t in CSV_TABLES)
        files[f"index{_suffix(lang)}.html"] = INDEX.render(
            lang=lang,
            css=CSS,
            title=label("cinv.title", lang),
            subtitle=label(
                "cinv.subtitle",
                lang,
                environment=latest.get("environment"),
                date=_local(latest.get("taken_at")),
            ),
            facts=(
                (label("cinv.ui.environment", lang), latest.get("environment")),
                (
                    label("cinv.ui.snapshot", lang),
                    f"{_local(latest.get('taken_at'))} ({latest.get('_source', '-')})",
                ),
                (label("cinv.ui.snapshots", lang), str(len(snapshots))),
                (label("cinv.ui.hosts", lang), str(len(latest.get("hosts") or []))),
            ),
            languages=[
                (f"index{_suffix(other)}.html", "English" if other == "en" else "中文")
                for other in LANGS
                if other != lang
            ],
            intro=label("cinv.ui.intro", lang),
            search=label("cinv.ui.search", lang),
            columns=[
                label(f"cinv.ui.{c}", lang)
                for c in (
                    "host",
                    "groups",
                    "os",
                    "kernel",
                    "cpus",
                    "memory",
                    "packages",
                    "release",
                    "last_change",
                )
            ],
            groups=ordered,
            csv_note=label("cinv.ui.csv", lang, files=csv_names),
            footer=label(
                "cinv.ui.footer",
                lang,
                version=version,
                generated=generated,
                source=latest.get("_source", "-"),
            ),
        )
    files["snapshot.json"] = (
        json.dumps({k: v for k, v in latest.items() if k != "_source"}, ensure_ascii=False, indent=1) + "\n"
    )
    return files
