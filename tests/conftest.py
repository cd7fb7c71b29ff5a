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


def _filter_plugin(name: str) -> ModuleType:
    """plugins/filter/<name>.py, loaded the way Ansible loads it (by path)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "plugins" / "filter" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def medops_net() -> ModuleType:
    return _filter_plugin("medops_net")


@pytest.fixture(scope="session")
def medops_dr() -> ModuleType:
    return _filter_plugin("medops_dr")


@pytest.fixture(scope="session")
def medops_pgbackrest() -> ModuleType:
    return _filter_plugin("medops_pgbackrest")
