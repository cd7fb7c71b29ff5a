"""Shared fixtures: the repository root and the filter plugin module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def medops_net() -> ModuleType:
    """plugins/filter/medops_net.py, loaded the way Ansible loads it (by path)."""
    spec = importlib.util.spec_from_file_location("medops_net", ROOT / "plugins" / "filter" / "medops_net.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def medops_dr() -> ModuleType:
    """plugins/filter/medops_dr.py, loaded the way Ansible loads it (by path)."""
    spec = importlib.util.spec_from_file_location("medops_dr", ROOT / "plugins" / "filter" / "medops_dr.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
