"""The weekly record (schema, merge of re-runs, never losing a written record) and its reports."""

# Chinese expectations use full-width punctuation, as the labels do.
# ruff: noqa: RUF001

from __future__ import annotations

import copy
import json
import re
import xml.dom.minidom
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspect_fixtures import RECORDED_AT, collected, fact, host, recorded, replace_sections, section
from medops.errors import MedopsError
from medops.inspect.collect import Collected
from medops.inspect.evaluate import Context, assess
from medops.inspect.record import (
    HostResult,
    build_record,
    finding_data,
    finding_from_data,
    load_records,
    merge,
    read_record,
    record_path,
    write_record,
)
from medops.inspect.report import Sources, inspection_data, inspection_document, terminal_lines
from medops.inspect.thresholds import defaults
from medops.inspect.weeks import IsoWeek, parse_week
from medops.report.labels import LABELS
from medops.report.render import to_html, to_json, to_markdown
from medops.report.svg import LinePanel, Series, line_chart

WEEK = IsoWeek(2026, 47)
SOURCES = Sources("records/inspections/2026-W47.json", "0.0.0", datetime(2026, 11, 23, 1, 0, tzinfo=UTC))


def _result(output: str, name: str, error: str = "", at: datetime = RECORDED_AT) -> HostResult:
    data = host(output) if output else None
    base = collected(output, name=name, error=error)
    done = Collected(base.target, base.nonce, base.output, base.error, at, base.seconds)
    context = Context(now=at, since=at - timedelta(days=7))
    return HostResult(done, data, defaults(), assess(done, data, defaults(), context), context.since)


def _results(at: datetime = RECORDED_AT) -> list[HostResult]:
    db = replace_sections(
        recorded("bare-full-disk.out"),
        {"fact": (fact("db-host.json"), 0), "postgresql": (section("postgresql-archiver-failing.txt"), 0)},
    )
    return [
        _result(recorded("app-host.out"), "qcis-app1", at=at),
        _result(recorded("app-host-nginx-stopped.out"), "qcis-app2", at=at),
        _result(db, "qcis-db1", at=at),
        _result("", "ghost", error="docker exited with 1: No such container: ghost", at=at),
    ]


def _record(week: IsoWeek = WEEK, at: datetime = RECORDED_AT, limit: str | None = None) -> dict[str, Any]:
    results = _results(at)
    if limit:
        results = [r for r in results if r.collected.target.name == limit]
    return build_record(
        week=week,
        environment="lab",
        inventory=["inventory/lab"],
        limit=limit,
        started_at=at,
        finished_at=at + timedelta(seconds=3.2),
        medops_version="0.0.0",
        results=results,
        workers=32,
        timeout=60.0,
    )


def test_a_record_is_complete_and_plain_json() -> None:
    record = _record()
    assert json.loads(json.dumps(record)) == record
    assert (record["record"], record["schema"], record["week"]) == ("medops.inspection", 1, "2026-W47")
    statuses = {h["name"]: h["status"] for h in record["hosts"]}
    assert statuses == {
        "qcis-app1": "critical",
        "qcis-app2": "critical",
        "qcis-db1": "critical",
        "ghost": "unreachable",
    }
    assert record["severity"] == "critical"
    assert record["counts"]["hosts"] == {"ok": 0, "warning": 0, "critical": 3, "unreachable": 1}
    ghost = next(h for h in record["hosts"] if h["name"] == "ghost")
    assert ghost["data"] is None and not ghost["reachable"] and "No such container" in ghost["error"]
    app = next(h for h in record["hosts"] if h["name"] == "qcis-app1")
    data = app["data"]
    for key in (
        "os",
        "cpu",
        "memory",
        "mounts",
        "fact",
        "services",
        "updates",
        "journal",
        "certificates",
        "health",
    ):
        assert data[key] is not None, key
    assert data["cpu"]["count"] == 2 and data["memory"]["swap_total_bytes"] == 0
    assert {s["unit"] for s in data["services"]} >= {"nginx.service", "qcis-app.service"}
    assert app["thresholds"]["limits"]["disk_used"] == {"warning": 0.8, "critical": 0.9}
    db = next(h for h in record["hosts"] if h["name"] == "qcis-db1")
    assert db["data"]["postgresql"][0]["archiver"]["failed_count"] == 3


def test_findings_round_trip_through_the_record() -> None:
    for result in _results():
        for finding in result.assessment.findings:
            data = json.loads(json.dumps(finding_data(finding)))
            assert finding_from_data(data) == finding


def test_write_then_rerun_keeps_the_earlier_run(tmp_path: Path) -> None:
    first = _record()
    path, written, kept = write_record(tmp_path, WEEK, first)
    assert path == record_path(tmp_path, WEEK) == tmp_path / "inspections" / "2026-W47.json"
    assert not kept and read_record(path) == written == first
    second = _record(at=RECORDED_AT + timedelta(days=1))
    _, written, kept = write_record(tmp_path, WEEK, second)
    assert kept and written["started_at"] == second["started_at"]
    assert [r["started_at"] for r in written["earlier_runs"]] == [first["started_at"]]
    assert "earlier_runs" not in written["earlier_runs"][0]
    _, third, _ = write_record(tmp_path, WEEK, _record(at=RECORDED_AT + timedelta(days=2)))
    assert len(third["earlier_runs"]) == 2


def test_a_limited_rerun_replaces_only_its_hosts(tmp_path: Path) -> None:
    write_record(tmp_path, WEEK, _record())
    fixed = _record(at=RECORDED_AT + timedelta(hours=2), limit="qcis-app2")
    _, written, _ = write_record(tmp_path, WEEK, fixed)
    assert sorted(h["name"] for h in written["hosts"]) == ["ghost", "qcis-app1", "qcis-app2", "qcis-db1"]
    app2 = next(h for h in written["hosts"] if h["name"] == "qcis-app2")
    assert app2["collected_at"] == (RECORDED_AT + timedelta(hours=2)).isoformat(timespec="seconds")
    assert written["limit"] == "qcis-app2" and len(written["earlier_runs"]) == 1
    assert written["counts"]["hosts"]["unreachable"] == 1


def test_an_unreadable_record_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = record_path(tmp_path, WEEK)
    path.parent.mkdir(parents=True)
    path.write_text("{ half a record")
    with pytest.raises(MedopsError, match=r"2026-W47\.json is not JSON"):
        write_record(tmp_path, WEEK, _record())
    assert path.read_text() == "{ half a record"
    path.write_text(json.dumps({"record": "something else"}))
    with pytest.raises(MedopsError, match="is not an inspection record"):
        write_record(tmp_path, WEEK, _record())
    other = copy.deepcopy(_record())
    other["schema"] = 9
    path.write_text(json.dumps(other))
    with pytest.raises(MedopsError, match="has schema 9"):
        read_record(path)


def test_merge_without_an_existing_record_is_the_run() -> None:
    record = _record()
    assert merge(None, record) is record


def test_load_records_orders_weeks_and_reports_bad_files(tmp_path: Path) -> None:
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        write_record(tmp_path, parse_week(week), _record(parse_week(week)))
    folder = tmp_path / "inspections"
    (folder / "2026-W44.json").write_text("[]")
    (folder / "notes.json").write_text("{}")
    (folder / "2026-W43.json").write_text(json.dumps({**_record(), "week": "2026-W40"}))
    found, problems = load_records(tmp_path, until=parse_week("2026-W46"))
    assert [r["week"] for r in found] == ["2026-W45", "2026-W46"]
    assert sorted(problems) == [
        "2026-W43.json holds week 2026-W40",
        '2026-W44.json is not an inspection record (no "record": "medops.inspection")',
    ]


def _history() -> list[dict[str, Any]]:
    """Four weekly records: qcis-app1's root file system grows 5 GiB a week."""
    history = []
    for n in range(4):
        at = RECORDED_AT - timedelta(days=7 * (3 - n))
        record = _record(parse_week(f"2026-W{44 + n}"), at)
        for entry in record["hosts"]:
            for mount in (entry["data"] or {}).get("mounts", []):
                if mount["mountpoint"] == "/":
                    mount["used_bytes"] += (n - 3) * 5 * (1 << 30)
                    mount["available_bytes"] -= (n - 3) * 5 * (1 << 30)
        history.append(record)
    return history


@pytest.mark.parametrize("lang", sorted(LABELS))
def test_reports_render_in_both_languages(lang: str) -> None:
    history = _history()
    record = history[-1]
    document = inspection_document(record, history, lang, SOURCES)
    html, markdown = to_html(document), to_markdown(document)
    data = json.loads(to_json(inspection_data(record, history, lang, SOURCES)))
    assert f'<html lang="{lang}">' in html
    # Summary first, then one section per host (by name), then the thresholds.
    titles = [s.title for s in document.sections]
    assert titles[0] == LABELS[lang]["ui.summary"]
    assert [t.split(" — ")[0] for t in titles[1:5]] == ["ghost", "qcis-app1", "qcis-app2", "qcis-db1"]
    assert titles[-1] == LABELS[lang]["insp.ui.thresholds"]
    assert html.count("<svg") == 3  # a history chart per reached host
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        xml.dom.minidom.parseString(svg)  # noqa: S318 - our own output, not untrusted
    assert "<script" not in html.lower() and "@media print" in html
    assert markdown.startswith(f"# {LABELS[lang]['insp.title']}")
    app1 = next(h for h in data["hosts"] if h["name"] == "qcis-app1")
    root = next(f for f in app1["forecasts"] if f["mountpoint"] == "/")
    assert root["points"] == 4 and root["growth_bytes_per_week"] == pytest.approx(5 * (1 << 30), rel=1e-6)
    assert [t["week"] for t in app1["trend"]] == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    assert all(f["measured"] and f["recommendation"] for h in data["hosts"] for f in h["findings"])


def test_the_chinese_report_is_in_chinese() -> None:
    record = _record()
    document = inspection_document(record, [record], "zh-CN", SOURCES)
    html, markdown = to_html(document), to_markdown(document)
    for text in (
        "每周巡检报告",
        "按状态统计的主机",
        "需要处理的事项",
        "不可达",
        "声明的服务",
        "巡检人",
        "签名",
        "严重",
    ):
        assert text in html and text in markdown


def test_english_summary_lists_what_needs_action_critical_first() -> None:
    record = _record()
    markdown = to_markdown(inspection_document(record, [record], "en", SOURCES))
    action = markdown.split("**What needs action**")[1].split("## ")[0]
    rows = [
        line
        for line in action.splitlines()
        if line.startswith("| ") and "Host |" not in line and "---" not in line
    ]
    severities = [row.split(" | ")[3] for row in rows]
    assert severities == sorted(severities, key=lambda s: s != "Critical")
    assert any(
        "qcis-app2 | Declared service | nginx.service | Critical | inactive (dead)" in row for row in rows
    )
    assert any("ghost | Host reachable | - | Critical | not reached:" in row for row in rows)
    assert "- **Hosts reachable:** 3 of 4" in markdown


def test_terminal_lines() -> None:
    lines = terminal_lines(_record(), "en", detail=True)
    counts = _record()["counts"]["findings"]
    assert lines[0] == (
        "inspection 2026-W47 (lab): Critical; 4 hosts: 0 ok, 0 warning, 3 critical, 1 unreachable; "
        f"findings: {counts['critical']} critical, {counts['warning']} warning"
    )
    assert lines[1].split()[:2] == ["ghost", "Unreachable"]
    assert any("Critical: Declared service nginx.service: inactive (dead)" in line for line in lines)
    brief = terminal_lines(_record(), "zh-CN", detail=False)
    assert len(brief) == 5 and brief[0].startswith("巡检 2026-W47（lab）：严重")


def test_line_chart_draws_gaps_and_threshold_marks() -> None:
    svg = line_chart(
        [
            LinePanel(
                "disk <%>",
                (Series("/", (0.5, None, 0.7)), Series("/var", (0.2, 0.3, 0.4))),
                str,
                1.0,
                ((0.8, "warning"),),
            )
        ],
        ["W45", "W46", "W47"],
        label="chart & data",
    )
    xml.dom.minidom.parseString(svg)  # noqa: S318 - our own output, not untrusted
    assert svg.count("<circle") == 5 and svg.count("<polyline") == 1  # "/" has a gap: no line through it
    assert (
        'stroke-dasharray="4 3"' in svg and "disk &lt;%&gt;" in svg and 'aria-label="chart &amp; data"' in svg
    )
