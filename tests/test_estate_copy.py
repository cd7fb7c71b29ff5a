"""scripts/ci/estate_copy.py: the second estate is the first one for other hosts, without ARA."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("estate_copy", ROOT / "scripts" / "ci" / "estate_copy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["estate_copy"] = module
    spec.loader.exec_module(module)
    return module


estate_copy = _module()


def test_the_committed_copy_is_what_the_generator_writes() -> None:
    assert estate_copy.main(["estate_copy.py", "--check"]) == 0


def test_the_copy_runs_other_hosts_on_another_network_without_ara() -> None:
    source = (ROOT / "molecule" / "estate" / "molecule.yml").read_text()
    estate, copy = yaml.safe_load(source), yaml.safe_load(estate_copy.copy(source))
    assert "ara_default" in estate["provisioner"]["env"]["ANSIBLE_CALLBACKS_ENABLED"]
    assert "ANSIBLE_CALLBACKS_ENABLED" not in copy["provisioner"]["env"]
    assert "ARA" not in copy["provisioner"]["env"]["ANSIBLE_CALLBACK_PLUGINS"]
    assert "ara" not in copy["provisioner"]["config_options"]
    assert (
        copy["provisioner"]["config_options"]["defaults"]
        == estate["provisioner"]["config_options"]["defaults"]
    )
    assert [p["name"] for p in copy["platforms"]] == [
        p["name"].replace("molecule-estate-", "molecule-estate-patch-dr-") for p in estate["platforms"]
    ]
    assert copy["scenario"] == estate["scenario"]


def test_a_changed_estate_is_refused_with_what_to_update() -> None:
    source = (ROOT / "molecule" / "estate" / "molecule.yml").read_text()
    with pytest.raises(ValueError, match="ARA's settings"):
        estate_copy.copy(
            source.replace("ANSIBLE_CALLBACKS_ENABLED: ara_default", "ANSIBLE_CALLBACKS_ENABLED: x")
        )
    with pytest.raises(ValueError, match=re.escape("172.30.82.")):
        estate_copy.copy(source.replace("172.30.82.", "172.30.99."))
