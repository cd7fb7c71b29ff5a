from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medops.errors import MedopsError
from medops.lab.model import parse_estate


def _inventory(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "_meta": {
            "hostvars": {
                "db1": {
                    "medops_address": "172.30.77.21",
                    "lab_network_name": "lab",
                    "lab_network_subnet": "172.30.77.0/24",
                },
                "app1": {
                    "medops_address": "172.30.77.11",
                    "lab_network_name": "lab",
                    "lab_network_subnet": "172.30.77.0/24",
                    "lab_debian_release": 13,
                },
            }
        },
        "all": {"children": ["ungrouped", "qcis"]},
        "qcis": {"children": ["qcis_app", "qcis_db"]},
        "qcis_app": {"hosts": ["app1"]},
        "qcis_db": {"hosts": ["db1"]},
    }
    for host, values in overrides.items():
        base["_meta"]["hostvars"][host].update(values)
    return base


def test_estate_has_hosts_with_groups_release_and_address() -> None:
    estate = parse_estate(json.dumps(_inventory()))
    assert estate.network == "lab"
    assert estate.subnet == "172.30.77.0/24"
    app = estate.host("app1")
    assert app.release == 13
    assert app.address == "172.30.77.11"
    assert app.groups == ("qcis", "qcis_app")
    assert estate.host("db1").release == 12


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"db1": {"medops_address": "172.30.78.5"}}, "outside 172.30.77.0/24"),
        ({"db1": {"medops_address": "172.30.77.11"}}, "share the address"),
        ({"db1": {"medops_address": "not-an-ip"}}, "is not an IP address"),
        ({"db1": {"lab_debian_release": 11}}, "lab_debian_release 11"),
        ({"db1": {"lab_network_subnet": "172.30.0.0/16"}}, "lab_network_subnet must be set once"),
    ],
)
def test_bad_estate_is_refused_with_a_clear_message(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(MedopsError, match=message):
        parse_estate(json.dumps(_inventory(**overrides)))


def test_unknown_host_is_named() -> None:
    with pytest.raises(MedopsError, match="no lab host named 'web9'"):
        parse_estate(json.dumps(_inventory())).host("web9")


def test_real_lab_inventory_parses(root: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = Path(sys.executable).parent
    out = subprocess.run(
        [str(bin_dir / "ansible-inventory"), "-i", str(root / "inventory/lab"), "--list"],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    ).stdout
    estate = parse_estate(out)
    names = {h.name for h in estate.hosts}
    assert {"qcis-app1", "qcis-app2", "qcis-db1", "chfms-app1", "chfms-db1", "backup1", "spare1"} <= names
    assert {h.release for h in estate.hosts} == {12, 13}


def test_forgetting_cached_facts_removes_only_that_hosts_files(tmp_path: Path) -> None:
    from medops.lab.containers import forget_cached_facts

    facts = tmp_path / ".ansible" / "facts"
    facts.mkdir(parents=True)
    for name in ("s1_chfms-db1", "chfms-db1", "s1_chfms-db10", "s1_qcis-db1"):
        (facts / name).write_text("{}")
    forget_cached_facts("chfms-db1", root=tmp_path)
    assert sorted(p.name for p in facts.iterdir()) == ["s1_chfms-db10", "s1_qcis-db1"]
    forget_cached_facts("absent-host", root=tmp_path)  # nothing cached: nothing to do
