"""Drill records (dr-rebuild, dr-failback) and their report: parsing, headline, documents, CLI."""

# Chinese expectations use full-width punctuation, as the labels do.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import re
import shutil
import xml.dom.minidom
from datetime import UTC, datetime
from pathlib import Path

import pytest

from medops.cli import main
from medops.drill.record import RecordError, load_drills, parse_drill
from medops.drill.report import Sources, drill_data, drill_document, headline, projected_phases, verdict
from medops.errors import MedopsError
from medops.lab.drill import committed, plan_drill
from medops.lab.model import LabEstate, LabHost
from medops.report.render import to_html, to_json, to_markdown
from medops.report.svg import Mark, Span, timeline_chart

DATA = Path(__file__).resolve().parent / "data"
COMPLETE = DATA / "drills" / "qcis-20261122T020000Z.json"
# Records dr-rebuild.yml and dr-failback.yml wrote in molecule/dr: refused (repository host stopped),
# failed (a bug since fixed), and a whole drill.
RECORDED = sorted((DATA / "drills-molecule").glob("*.json"))
REFUSED = DATA / "drills" / "qcis-20261122T015500Z.json"
SOURCES = Sources(
    record="drills/qcis-20261122T020000Z.json", version="0.0.0", generated=datetime(2026, 11, 22, tzinfo=UTC)
)


def _complete() -> dict[str, object]:
    data: dict[str, object] = json.loads(COMPLETE.read_text())
    return data


def test_a_whole_drill_is_read_with_its_figures() -> None:
    drill = parse_drill(COMPLETE.read_text(), "drills/x.json")
    rebuild, failback = drill.rebuild, drill.failback
    assert (drill.system, drill.drill, drill.budget_seconds, drill.rpo_objective_seconds) == (
        "qcis",
        True,
        28800,
        900,
    )
    assert [p.name for p in rebuild.phases][:5] == ["checks", "base", "postgresql", "pgbackrest", "restore"]
    assert rebuild.rto_met and rebuild.rpo_met and rebuild.rpo_seconds == 38.0
    assert (
        rebuild.restore is not None
        and rebuild.restore.wal.timeline == 2
        and rebuild.restore.wal.reached_archive_end
    )
    assert {(c.table, c.known, c.restored) for c in rebuild.rows} >= {("public.reports", 1204, 1377)}
    assert failback is not None and failback.checksums_equal is True and failback.temporary_beats == 5342
    assert failback.downtime_seconds == pytest.approx(144.8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema="medops.drill/0"), "schema is 'medops.drill/0'"),
        (lambda d: d["rebuild"]["phases"][1].pop("seconds"), "rebuild.phases[1].seconds is missing"),
        (lambda d: d["rebuild"].update(outcome="fine"), "rebuild.outcome is 'fine'"),
        (lambda d: d.update(failed_at="2026-11-22 01:59"), "failed_at '2026-11-22 01:59' has no UTC offset"),
        (lambda d: d["objective"].update(rto_hours=-1), "objective.rto_hours is -1; expected 0 or more"),
        (
            lambda d: d["failback"]["checksums"]["tables"][0].pop("primary"),
            "failback.checksums.tables[0].primary",
        ),
        (
            lambda d: d["rebuild"]["restore"]["wal"].update(segments=2.5),
            "rebuild.restore.wal.segments is 2.5",
        ),
    ],
)
def test_a_broken_record_is_refused_naming_the_field(change: object, message: str) -> None:
    data = _complete()
    change(data)  # type: ignore[operator]
    with pytest.raises(RecordError, match=re.escape(message)):
        parse_drill(json.dumps(data), "drills/x.json")


def test_records_load_oldest_first_and_unreadable_ones_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "drills"
    shutil.copytree(DATA / "drills", folder)
    (folder / "qcis-broken.json").write_text("{")
    loaded = load_drills(tmp_path)
    assert [d.id for d in loaded.drills] == ["qcis-20261122T015500Z", "qcis-20261122T020000Z"]
    assert loaded.problems and loaded.problems[0].startswith("drills/qcis-broken.json: not JSON")
    assert loaded.find("qcis").id == "qcis-20261122T020000Z"
    with pytest.raises(LookupError, match="no drill record 'chfms'"):
        loaded.find("chfms")


def test_headline_in_both_languages() -> None:
    drill = parse_drill(COMPLETE.read_text(), "drills/x.json")
    en = headline(drill, "en")
    assert en[0] == "drill qcis-20261122T020000Z (lab): rebuild success in 3 min 55 s"
    assert en[1] == "  RTO: serving 4 min 22 s after the failure (objective 8 h: met)"
    assert en[2].startswith(
        "  RPO: 38 s (objective 15 min: met); newest heartbeat restored 2026-11-22 09:58:52"
    )
    assert "5 WAL segments (64.0 MiB) replayed" in en[3]
    assert en[4] == (
        "  projected for 350 GiB: 19 h 10 min (RTO 8 h; indicative only: measured on 0.014 % of that size)"
    )
    assert en[5] == (
        "  fail-back: success in 3 min 15 s, users out of service 2 min 25 s; "
        "4 tables: checksums equal on both sides"
    )
    zh = headline(drill, "zh-CN")
    assert zh[0] == "演练 qcis-20261122T020000Z（lab）：重建成功，用时 3 分钟 55 秒"
    assert "两端校验和一致" in zh[-1]


def test_refused_rebuild_says_why() -> None:
    drill = parse_drill(REFUSED.read_text(), "drills/y.json")
    lines = headline(drill, "en")
    assert lines[0].endswith("rebuild refused in 9.8 s")
    assert "the backup repository cannot be reached" in lines[1]
    assert verdict(drill) == 2


def test_verdict() -> None:
    drill = parse_drill(COMPLETE.read_text(), "drills/x.json")
    # The projection misses the RTO but comes from 0.01 % of the size: not counted (fixed costs dominate).
    assert verdict(drill) == 0
    data = _complete()
    data["failback"] = None
    assert verdict(parse_drill(json.dumps(data), "x")) == 1
    data = _complete()
    data["failback"]["checksums"]["tables"][2]["primary"] = "1465:1"  # type: ignore[index]
    assert verdict(parse_drill(json.dumps(data), "x")) == 2


def test_projection_scales_only_the_restore() -> None:
    drill = parse_drill(COMPLETE.read_text(), "drills/x.json")
    assert drill.rebuild.projection is not None
    phases = dict(projected_phases(drill.rebuild, drill.rebuild.projection))
    assert phases["restore"] == drill.rebuild.projection.restore_seconds
    assert phases["base"] == 61.0
    assert sum(phases.values()) == pytest.approx(drill.rebuild.projection.total_seconds, abs=0.5)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_report_renders_in_every_format(lang: str) -> None:
    drill = parse_drill(COMPLETE.read_text(), "drills/x.json")
    document = drill_document(drill, lang, SOURCES)
    html = to_html(document)
    markdown = to_markdown(document)
    data = json.loads(to_json(drill_data(drill, lang, SOURCES)))
    assert f'<html lang="{lang}">' in html and "@media print" in html and "<script" not in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3  # rebuild measured, projection against the budget, fail-back
    for svg in svgs:
        xml.dom.minidom.parseString(svg)  # noqa: S318 - our own output, checked to be well-formed
    assert ("RTO 8 h" if lang == "en" else "RTO 预算 8 小时") in svgs[1]
    assert markdown.startswith("# 灾难恢复演练" if lang == "zh-CN" else "# Disaster-recovery drill")
    assert "| public.reports |" in markdown
    assert data["rebuild"]["rto_met"] is True and data["failback"]["checksums_equal"] is True
    assert len(data["rebuild"]["phases"]) == 9 and data["headline"][0].startswith(
        "演练" if lang == "zh-CN" else "drill"
    )


def test_report_of_a_rebuild_without_failback_says_it_is_pending() -> None:
    data = _complete()
    data["failback"] = None
    document = drill_document(parse_drill(json.dumps(data), "x"), "en", SOURCES)
    assert "No fail-back recorded yet" in to_markdown(document)


def test_timeline_keeps_short_phases_visible_and_marks_the_budget() -> None:
    svg = timeline_chart(
        [Span("restore", 0, 0.001, "a", "tiny"), Span("replay", 10, 3600, "a", "long")],
        [("a", "measured")],
        axis_max=28800,
        axis=lambda v: f"{v:.0f}",
        marks=[Mark(28800, "RTO 8 h", "budget")],
        label="chart",
    )
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="12"', svg)]
    assert widths[0] == 1.0 and widths[1] > 50
    assert "RTO 8 h" in svg and 'stroke-dasharray="5 3"' in svg
    xml.dom.minidom.parseString(svg)  # noqa: S318 - our own output


def test_cli_writes_both_languages_and_prints_the_headline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["drill", "report", "qcis", "--records", str(DATA), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        f"qcis-20261122T020000Z.{lang}.{ext}" for lang in ("en", "zh-CN") for ext in ("html", "json", "md")
    ]
    assert "drill qcis-20261122T020000Z (lab): rebuild success" in out
    assert main(["drill", "report", "qcis-20261122T015500Z", "--records", str(DATA), "--no-write"]) == 2


def test_cli_without_records_says_where_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drill", "report", "--records", str(tmp_path)]) == 2
    assert "no drill records in" in capsys.readouterr().err


def _estate() -> LabEstate:
    def host(name: str, address: str, *groups: str) -> LabHost:
        return LabHost(name, address, 12, groups)

    return LabEstate(
        "medops-lab",
        "172.30.77.0/24",
        (
            host("qcis-app1", "172.30.77.11", "qcis", "qcis_app"),
            host("qcis-db1", "172.30.77.21", "qcis", "qcis_db"),
            host("spare1", "172.30.77.61", "spare"),
        ),
    )


def test_lab_drill_plan_names_the_hosts() -> None:
    plan = plan_drill(_estate(), "qcis", 90, 60)
    assert (plan.primary.name, plan.spare.name, plan.app.name) == ("qcis-db1", "spare1", "qcis-app1")
    with pytest.raises(MedopsError, match="system 'chfms' needs exactly one host in chfms_db"):
        plan_drill(_estate(), "chfms", 90, 60)


def test_lab_drill_counts_only_committed_reports() -> None:
    log = (
        '1795312770.1 {"id": 41} 201\n'
        "1795312770.3 {} 000\n"
        '1795312770.5 {"error": "database unavailable"} 503\n'
        '1795312770.7 {"id": 42} 201\n'
    )
    assert committed(log) == [(1795312770.1, 41), (1795312770.7, 42)]


@pytest.mark.parametrize("path", RECORDED, ids=[p.name for p in RECORDED])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_records_the_playbooks_wrote_render(path: Path, lang: str) -> None:
    drill = parse_drill(path.read_text(), f"drills/{path.name}")
    html = to_html(drill_document(drill, lang, SOURCES))
    assert f'<html lang="{lang}">' in html
    assert json.loads(to_json(drill_data(drill, lang, SOURCES)))["id"] == drill.id
    assert headline(drill, lang)


def test_recorded_drill_holds_every_figure() -> None:
    drill = parse_drill((DATA / "drills-molecule" / "qcis-20261122T192527Z.json").read_text(), "x")
    rebuild, failback = drill.rebuild, drill.failback
    assert rebuild.outcome == "success" and rebuild.rpo_met and rebuild.rto_met
    assert rebuild.restore is not None and rebuild.restore.wal.reached_archive_end
    assert failback is not None and failback.checksums_equal and failback.temporary_beats
    assert verdict(drill) == 0
