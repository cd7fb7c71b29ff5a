"""The compliance dashboard: gather every obligation of a year from the records, then word it as one page
(a Document for HTML) and as terminal lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from medops.backup.restore_tests import load_restore_tests
from medops.compliance.obligations import (
    Compliance,
    Obligation,
    drills,
    inspection_obligation,
    inventory_age,
    load_approvals,
    load_drills,
    load_patch_records,
    patch_cycles,
    restore_tests,
    reviews,
)
from medops.configinv.history import load_causes
from medops.configinv.run import read_policy
from medops.configinv.snapshot import newest_snapshot_time
from medops.inspect.status import year_status
from medops.report.document import Document, Facts, Paragraph, Section, Table
from medops.report.labels import label

SEVERITY = {"met": "ok", "ok": "ok", "due": "warning", "missed": "critical"}


def inventory_hosts(inventory: Path) -> list[str]:
    """Every host named in <inventory>/hosts.yml (the estate the contract covers)."""
    try:
        data = yaml.safe_load((inventory / "hosts.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    found: set[str] = set()

    def walk(group: object) -> None:
        if isinstance(group, Mapping):
            found.update(str(h) for h in group.get("hosts") or {})
            for child in (group.get("children") or {}).values():
                walk(child)

    if isinstance(data, Mapping):
        for group in data.values():
            walk(group)
    return sorted(found)


def gather(inventory: Path, records: Path, year: int, today: date, within: int) -> Compliance:
    """Every obligation of `year` as of `today` (pure but for reading the records and the inventory)."""
    problems: list[str] = []
    obligations: list[Obligation] = [inspection_obligation(year_status(records, year, today), within)]
    patches, found = load_patch_records(records)
    problems += found
    obligations += patch_cycles(
        inventory_hosts(inventory),
        patches=patches,
        approvals=load_approvals(records),
        year=year,
        today=today,
        within=within,
    )
    policy = read_policy(inventory, today)
    if policy is None:
        problems.append(f"{inventory.name}: no readable backup policy (medops backup check-policy)")
    else:
        obligations.append(reviews(policy, records, year, today, within))
        restore = load_restore_tests(records)
        problems += restore.problems
        obligations += restore_tests(policy, restore.tests, year, today, within)
        found_drills, found = load_drills(records)
        problems += found
        obligations += drills(policy, found_drills, year, today, within)
    changes = [datetime.fromisoformat(str(c["at"]).replace("Z", "+00:00")) for c in load_causes(records)]
    obligations.append(
        inventory_age(newest_snapshot_time(records), max(changes, default=None), today, within)
    )
    return Compliance(year, today, within, tuple(obligations), tuple(problems))


def compliance_data(result: Compliance, environment: str) -> dict[str, Any]:
    return {
        "record": "medops.compliance",
        "schema": 1,
        "environment": environment,
        "year": result.year,
        "today": str(result.today),
        "within_days": result.within_days,
        "exit_code": result.exit_code,
        "obligations": [
            asdict(o) | {"deadline": str(o.deadline) if o.deadline else None} for o in result.obligations
        ],
        "problems": list(result.problems),
    }


def _result(result: Compliance, lang: str) -> str:
    missed = [o for o in result.obligations if o.state == "missed"]
    due = [o for o in result.obligations if o.state == "due"]
    if missed:
        return label("comp.ui.result_missed", lang, count=len(missed))
    if due:
        return label("comp.ui.result_due", lang, count=len(due))
    return label("comp.ui.result_ok", lang)


def _evidence(o: Obligation, lang: str) -> str:
    if not o.evidence:
        return label("comp.ui.evidence_none", lang)
    return "; ".join(f"{e.text} ({e.source}{', ' + e.link if e.link else ''})" for e in o.evidence)


def compliance_document(
    result: Compliance, environment: str, lang: str, version: str, inventory: str
) -> Document:
    rows = [
        (
            label(f"comp.key.{o.key}", lang),
            o.subject or "-",
            label(f"comp.state.{o.state}", lang),
            f"{o.done} / {o.required}",
            str(o.deadline or "-"),
            o.detail,
            _evidence(o, lang),
        )
        for o in result.obligations
    ]
    columns = ("obligation", "subject", "status", "done", "deadline", "detail", "evidence")
    blocks: list[Any] = [
        Paragraph(label("comp.ui.intro", lang)),
        Table(
            tuple(label(f"comp.ui.{c}", lang) for c in columns),
            tuple(rows),
            severities=tuple(SEVERITY[o.state] for o in result.obligations),
            severity_column=2,
        ),
    ]
    if result.problems:
        blocks.append(Table((label("comp.ui.problems", lang),), tuple((p,) for p in result.problems)))
    worst = max(
        (o.state for o in result.obligations),
        key=("met", "ok", "due", "missed").index,
        default="ok",
    )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return Document(
        lang=lang,
        title=label("comp.title", lang),
        subtitle=label("comp.subtitle", lang, environment=environment, year=result.year, today=result.today),
        facts=Facts(
            (
                (label("comp.ui.environment", lang), environment),
                (label("comp.ui.year", lang), str(result.year)),
                (label("comp.ui.as_of", lang), str(result.today)),
                (label("comp.ui.window", lang), label("comp.ui.window_value", lang, days=result.within_days)),
                (label("comp.ui.result", lang), _result(result, lang)),
            )
        ),
        sections=(Section(label("comp.ui.obligations", lang), tuple(blocks), SEVERITY[worst]),),
        footer=label("comp.ui.footer", lang, version=version, generated=now, inventory=inventory),
        severity=SEVERITY[worst],
    )


def terminal_lines(result: Compliance, environment: str, lang: str) -> list[str]:
    lines = [
        f"{label('comp.title', lang)} {environment} {result.year} ({result.today}): {_result(result, lang)}"
    ]
    width = max((len(label(f"comp.key.{o.key}", lang)) for o in result.obligations), default=10)
    for o in result.obligations:
        name = label(f"comp.key.{o.key}", lang)
        subject = f" {o.subject}" if o.subject else ""
        state = label(f"comp.state.{o.state}", lang)
        lines.append(f"  {state:<9} {name:<{width}}{subject}: {o.done}/{o.required}; {o.detail}")
    for problem in result.problems:
        lines.append(f"  ! {problem}")
    return lines
