"""Recorded collection output (tests/data/inspect/) and helpers shared by the inspection tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from medops.inspect.collect import Collected
from medops.inspect.parse import HostData, parse_host, split_sections
from medops.inspect.targets import Target

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "inspect"
SECTIONS = DATA / "sections"
FACTS = DATA / "facts"
PGBACKREST = ROOT / "tests" / "data" / "pgbackrest"
NONCE = "fixture"
# The moment the recorded outputs were taken (their meta section's clock): 2026-11-22, Beijing evening.
RECORDED_AT = datetime(2026, 11, 22, 14, 51, tzinfo=UTC)


def recorded(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def section(name: str) -> str:
    return (SECTIONS / name).read_text(encoding="utf-8")


def fact(name: str) -> str:
    return (FACTS / name).read_text(encoding="utf-8")


def compose(sections: dict[str, tuple[str, int]], nonce: str = NONCE) -> str:
    """An output as collect.sh prints it: each section between its begin and end markers."""
    parts = []
    for name, (text, rc) in sections.items():
        parts.append(f"==MEDOPS {nonce} begin {name}\n{text}\n\n==MEDOPS {nonce} end {name} {rc}\n")
    return "".join(parts)


def replace_sections(output: str, changes: dict[str, tuple[str, int]], nonce: str = NONCE) -> str:
    """A recorded output with some sections replaced (or added)."""
    found = split_sections(output, nonce)
    merged = {name: (s.text, s.rc) for name, s in found.items()}
    merged.update(changes)
    return compose(merged, nonce)


def target(name: str = "qcis-app1", groups: tuple[str, ...] = ("qcis", "qcis_app")) -> Target:
    return Target(name, groups, "172.30.77.11", "docker", ("docker", "exec", "-i", name, "sh", "-s"))


def collected(output: str, name: str = "qcis-app1", error: str = "") -> Collected:
    return Collected(target(name), NONCE, output, error, RECORDED_AT, 0.8)


def host(output: str) -> HostData:
    return parse_host(output, NONCE)
