"""Render a Document as Markdown or as one self-contained HTML file, and report data as JSON.

The HTML has its CSS inline, with a print stylesheet for A4 paper (page breaks between sections, no dark
backgrounds, a sign-off block), and its charts as inline SVG: no JavaScript and nothing fetched from
anywhere, so the file can be mailed, archived and printed as it is. Jinja2 autoescapes every value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jinja2

from medops.report.document import Code, Document, Facts, Table

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff; font-size: 10.5pt;
       line-height: 1.45; max-width: 200mm; margin: 0 auto; padding: 8mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 0 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid #1f4e79; }
.subtitle { color: #444; margin: 0 0 5mm; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0 0 4mm; }
dl.facts dt { font-weight: 600; color: #333; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; font-size: 9.5pt; }
caption { text-align: left; font-weight: 600; padding: 1mm 0; }
th, td { border: 1px solid #b8b8b8; padding: 1mm 2mm; text-align: left; vertical-align: top; }
th { background: #f1f4f8; }
tr.sev-warning td:first-child { border-left: 4px solid #b36b00; }
tr.sev-critical td:first-child { border-left: 4px solid #b00020; }
tr.sev-ok td:first-child { border-left: 4px solid #2e7d32; }
td.sev { font-weight: 700; white-space: nowrap; }
tr.sev-ok td.sev { color: #2e7d32; }
tr.sev-warning td.sev { color: #8a5200; }
tr.sev-critical td.sev { color: #b00020; }
section.sev-warning > h2 { border-bottom-color: #b36b00; }
section.sev-critical > h2 { border-bottom-color: #b00020; }
section { margin: 0 0 8mm; }
figure { margin: 0 0 4mm; }
figcaption { font-weight: 600; margin-bottom: 1mm; }
figure svg { max-width: 100%; height: auto; }
pre { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", Consolas, monospace; font-size: 8.5pt;
      white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #b8b8b8; background: #f7f7f7;
      padding: 2mm; margin: 0 0 3mm; }
.signature { margin-top: 10mm; border: 1px solid #888; padding: 4mm 5mm; }
.signature h2 { border: 0; margin-bottom: 4mm; }
.signature .line { display: grid; grid-template-columns: 30mm 1fr; align-items: end; margin: 0 0 7mm; }
.signature .line span:last-child { border-bottom: 1px solid #000; height: 8mm; }
footer { margin-top: 6mm; color: #555; font-size: 8.5pt; }
@media print {
  body { padding: 0; max-width: none; font-size: 9.5pt; }
  section + section { break-before: page; page-break-before: always; }
  figure, tr, dl.facts, .signature { break-inside: avoid; page-break-inside: avoid; }
  figure.code { break-inside: auto; page-break-inside: auto; }
  pre { background: #fff; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; page-break-after: avoid; }
  th { background: #fff; }
  a { color: inherit; text-decoration: none; }
}
"""

TEMPLATE = """{% macro facts(block) -%}
<dl class="facts">{% for term, value in block.items %}<dt>{{ term }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
{%- endmacro %}
{% macro table(block) -%}
<table>{% if block.caption %}<caption>{{ block.caption }}</caption>{% endif %}
<thead><tr>{% for column in block.columns %}<th scope="col">{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in block.rows %}{% set sev = block.severity(loop.index0) %}
<tr{% if sev %} class="sev-{{ sev }}"{% endif %}>
{%- for cell in row -%}
<td{% if loop.index0 == block.severity_column %} class="sev"{% endif %}>{{ cell }}</td>
{%- endfor %}</tr>
{% endfor %}</tbody></table>
{%- endmacro %}
<!DOCTYPE html>
<html lang="{{ doc.lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }} — {{ doc.subtitle }}</title>
<style>{{ css|safe }}</style>
</head>
<body>
<header>
<h1>{{ doc.title }}</h1>
<p class="subtitle">{{ doc.subtitle }}</p>
{{ facts(doc.facts) }}
</header>
{% for section in doc.sections %}
<section{% if section.severity %} class="sev-{{ section.severity }}"{% endif %}>
<h2>{{ section.title }}</h2>
{% for block in section.blocks %}
{% if block.kind == "paragraph" %}<p>{{ block.text }}</p>
{% elif block.kind == "facts" %}{{ facts(block) }}
{% elif block.kind == "table" %}{{ table(block) }}
{% elif block.kind == "code" %}<figure class="code">
{% if block.caption %}<figcaption>{{ block.caption }}</figcaption>{% endif %}
<pre>{{ block.text }}</pre></figure>
{% elif block.kind == "chart" %}<figure><figcaption>{{ block.title }}</figcaption>
{# The chart's SVG is built by medops.report.svg, which escapes every text it writes. #}
{{ block.svg|safe }}
{% if block.description %}<p>{{ block.description }}</p>{% endif %}</figure>
{% endif %}
{% endfor %}
</section>
{% endfor %}
{% if doc.signature %}
<div class="signature">
<h2>{{ doc.signature.title }}</h2>
{% for line in doc.signature.lines %}<div class="line"><span>{{ line }}</span><span></span></div>
{% endfor %}
</div>
{% endif %}
{% if doc.footer %}<footer>{{ doc.footer }}</footer>{% endif %}
</body>
</html>
"""

_ENV = jinja2.Environment(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PAGE = _ENV.from_string(TEMPLATE)


def to_html(doc: Document) -> str:
    """One self-contained HTML page (inline CSS and SVG, no scripts)."""
    return _PAGE.render(doc=doc, css=CSS)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown_table(table: Table) -> list[str]:
    lines = [f"**{_cell(table.caption)}**", ""] if table.caption else []
    lines.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows)
    return [*lines, ""]


def _markdown_facts(facts: Facts) -> list[str]:
    return [*(f"- **{_cell(term)}:** {_cell(value)}" for term, value in facts.items), ""]


def to_markdown(doc: Document) -> str:
    """Markdown for reading in the repository; charts become their data tables."""
    lines = [f"# {doc.title}", "", doc.subtitle, "", *_markdown_facts(doc.facts)]
    for section in doc.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                lines += _markdown_table(block)
            elif isinstance(block, Facts):
                lines += _markdown_facts(block)
            elif isinstance(block, Code):
                fence = "~~~~" if "```" in block.text else "```"
                lines += [
                    *([f"**{_cell(block.caption)}**", ""] if block.caption else []),
                    fence,
                    block.text,
                    fence,
                    "",
                ]
            elif block.kind == "paragraph":
                lines += [block.text, ""]  # type: ignore[union-attr]
            else:
                chart = block
                lines += [f"**{chart.title}**", ""]  # type: ignore[union-attr]
                lines += _markdown_table(chart.fallback)  # type: ignore[union-attr]
    if doc.signature:
        lines += [f"## {doc.signature.title}", ""]
        lines += [f"{line}: ______________________________  " for line in doc.signature.lines]
        lines.append("")
    if doc.footer:
        lines += ["---", "", doc.footer, ""]
    return "\n".join(lines)


def to_json(data: Mapping[str, Any]) -> str:
    """Report data as JSON: UTF-8 text kept readable (no \\u escapes), keys in the order given."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
