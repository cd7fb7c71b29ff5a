"""A report as a language-resolved document: sections of paragraphs, facts, tables and charts.

A report module words its data into a Document (labels already in the reader's language); the renderers
in `medops.report.render` turn any Document into Markdown or one self-contained HTML file.
"""

from __future__ import annotations

from dataclasses import dataclass

# Row and section severities the renderers style: "ok", "warning", "critical", or "" (none).
SEVERITIES = ("ok", "warning", "critical")


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Facts:
    """Label and value pairs, shown as a definition list."""

    items: tuple[tuple[str, str], ...]
    kind: str = "facts"


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    severities: tuple[str, ...] = ()  # one per row, or empty
    severity_column: int | None = None  # the column that holds the severity word, styled with it
    caption: str = ""
    kind: str = "table"

    def severity(self, row: int) -> str:
        return self.severities[row] if row < len(self.severities) else ""


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart; `fallback` holds the same data as a table for text renderers."""

    title: str
    svg: str  # a complete <svg> element, its text already escaped
    fallback: Table
    description: str = ""
    kind: str = "chart"


@dataclass(frozen=True)
class Code:
    """Preformatted text shown as it is (a diff, a configuration excerpt)."""

    text: str
    caption: str = ""
    kind: str = "code"


Block = Paragraph | Facts | Table | Chart | Code


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]
    severity: str = ""


@dataclass(frozen=True)
class Signature:
    """The sign-off block of the paper record: a title and one line per label."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    lang: str  # a BCP 47 tag: "en", "zh-CN"
    title: str
    subtitle: str
    facts: Facts
    sections: tuple[Section, ...]
    signature: Signature | None = None
    footer: str = ""
    severity: str = ""
