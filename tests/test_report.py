"""The rendering layer: both label dictionaries complete, and Markdown, HTML and JSON as promised."""

# Chinese expectations use full-width punctuation, as the labels do.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import re
import string
import xml.dom.minidom
from datetime import UTC, datetime
from pathlib import Path

import pytest

from medops.backup.info import parse_info
from medops.backup.policy import check_policy_file, policy_path
from medops.backup.report import Sources, review_data, review_document
from medops.backup.restore_tests import RestoreRecords
from medops.backup.review import as_of_for, build_review
from medops.report.document import Document, Facts, Paragraph, Section, Signature, Table
from medops.report.labels import EN, LABELS, ZH_CN, duration, label, render, size
from medops.report.messages import msg
from medops.report.render import to_html, to_json, to_markdown
from medops.report.svg import Bar, Panel, bar_chart, nice_ceiling

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "pgbackrest"
SOURCES = Sources(
    policy="inventory/lab/group_vars/all/backup_policy.yml",
    records="records/restore-tests",
    info="test fixture",
    version="0.0.0",
    generated=datetime(2026, 11, 22, 4, 0, tzinfo=UTC),
)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_labels() -> None:
    assert set(EN) == set(ZH_CN)
    for key in EN:
        assert _fields(EN[key]) == _fields(ZH_CN[key]), key
        assert ZH_CN[key].strip(), key


def test_chinese_labels_are_translated() -> None:
    same = {k for k in EN if EN[k] == ZH_CN[k]}
    # Only values that are the same in any language: numbers, codes and bare parameters.
    assert same <= {"msg.count", "msg.zero", "msg.record_invalid", "insp.v.plain", "insp.v.duration"}, same


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (45, "45 s", "45 秒"),
        (600, "10 min", "10 分钟"),
        (3 * 3600 + 40 * 60, "3 h 40 min", "3 小时 40 分钟"),
        (7200, "2 h", "2 小时"),
        (10.5 * 86400, "10 d 12 h", "10 天 12 小时"),
        (7 * 86400, "7 d", "7 天"),
    ],
)
def test_durations(seconds: float, en: str, zh: str) -> None:
    assert (duration(seconds, "en"), duration(seconds, "zh-CN")) == (en, zh)


def test_sizes() -> None:
    assert [size(n) for n in (512, 2048, 5 * 2**20, 350 * 2**30, 3 * 2**40)] == [
        "512 B",
        "2.0 KiB",
        "5.0 MiB",
        "350.0 GiB",
        "3.0 TiB",
    ]


def test_render_formats_parameters_by_name() -> None:
    message = msg("rec.age_overdue", kind_label="type.full")
    assert render(message, "en").startswith("The newest full backup is overdue")
    assert render(message, "zh-CN").startswith("最新的全量备份已超期")
    assert label("msg.age", "en", age_seconds=90000, label="L") == "1 d 1 h ago (L)"
    with pytest.raises(KeyError):
        render(msg("no.such.key"), "en")
    with pytest.raises(ValueError, match="no labels for language 'fr'"):
        render(msg("rec.ok"), "fr")


def _review(fixture: str = "healthy-two-stanzas.json"):  # type: ignore[no-untyped-def]
    today = datetime(2026, 11, 22).date()
    policy = check_policy_file(policy_path(ROOT / "inventory" / "lab"), today).policy
    assert policy is not None
    return build_review(
        policy,
        parse_info((DATA / fixture).read_text()),
        RestoreRecords((), ()),
        environment="lab",
        today=today,
        as_of=as_of_for(today, None),
    )


@pytest.mark.parametrize("fixture", sorted(p.name for p in DATA.glob("*.json")))
@pytest.mark.parametrize("lang", sorted(LABELS))
def test_every_review_renders_in_every_language(fixture: str, lang: str) -> None:
    review = _review(fixture)
    document = review_document(review, lang, SOURCES)
    html = to_html(document)
    markdown = to_markdown(document)
    data = json.loads(to_json(review_data(review, lang, SOURCES)))
    assert data["severity"] == review.severity.value
    assert len(data["findings"]) == len(review.all_findings)
    assert f'<html lang="{lang}">' in html
    assert markdown.startswith(f"# {label('review.title', lang)}")


def test_html_is_self_contained_and_printable() -> None:
    html = to_html(review_document(_review(), "en", SOURCES))
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=|@import|url\(""", html)
    assert html.count("<svg") == 2  # one chart per stanza
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        xml.dom.minidom.parseString(svg)  # noqa: S318 - well-formed? (our own output, not untrusted)
    for rule in ("@page", "size: A4", "@media print", "break-before: page", "page-break-before: always"):
        assert rule in html
    assert "Reviewed by" in html and "Signature" in html
    assert "background: #fff" in html


def test_chinese_report_has_chinese_labels() -> None:
    document = review_document(_review(), "zh-CN", SOURCES)
    html, markdown = to_html(document), to_markdown(document)
    for text in ("备份策略半年度评审", "最新全量备份", "评审人", "签名", "正常", "恢复时间目标（RTO）"):
        assert text in html and text in markdown


def test_values_are_escaped() -> None:
    document = Document(
        lang="en",
        title="<b>title</b>",
        subtitle="a & b",
        facts=Facts((("<k>", "<v>"),)),
        sections=(
            Section(
                "s",
                (
                    Paragraph("<script>alert(1)</script>"),
                    Table(("a|b",), (("x|y",),)),
                ),
            ),
        ),
        signature=Signature("Sign", ("<who>",)),
    )
    html = to_html(document)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;title&lt;/b&gt;" in html and "&lt;who&gt;" in html
    assert r"| x\|y |" in to_markdown(document)


def test_bar_chart_escapes_and_scales() -> None:
    svg = bar_chart(
        [Panel("size <MiB>", (Bar(3.0, "full", "a<b", "11-22"), Bar(1.0, "diff", "c")), str)],
        [("full", "full"), ("diff", "diff & more")],
        label="chart <1>",
    )
    xml.dom.minidom.parseString(svg)  # noqa: S318 - our own output, not untrusted
    assert "&lt;MiB&gt;" in svg and "diff &amp; more" in svg and 'aria-label="chart &lt;1&gt;"' in svg
    assert [nice_ceiling(v) for v in (0, 0.3, 3, 7, 12, 2500)] == [1.0, 0.5, 5.0, 10.0, 20.0, 2500.0]
