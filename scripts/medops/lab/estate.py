"""Read the lab estate from the lab inventory through Ansible itself (same precedence rules)."""

from __future__ import annotations

from pathlib import Path

from medops.lab.model import LabEstate, parse_estate
from medops.proc import run


def load_estate(root: Path, inventory: str = "inventory/lab") -> LabEstate:
    result = run(["ansible-inventory", "-i", str(root / inventory), "--list"], timeout=120)
    return parse_estate(result.stdout)
