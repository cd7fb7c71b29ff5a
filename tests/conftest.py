"""Shared fixtures: the repository root and the filter plugin module."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAB_ENV = "MEDOPS_LAB_TESTS"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--lab",
        action="store_true",
        help=f"run the tests marked lab against the running lab (make lab-test; or set {LAB_ENV}=1)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked lab change lab hosts (and put them back): they run only when asked for."""
    if config.getoption("--lab") or os.environ.get(LAB_ENV) == "1":
        return
    skip = pytest.mark.skip(
        reason=f"a lab test: run with --lab or {LAB_ENV}=1 against a running lab (make lab-test)"
    )
    for item in items:
        if item.get_closest_marker("lab") is not None:
            item.add_marker(skip)


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
