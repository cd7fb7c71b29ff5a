from __future__ import annotations

from medops.lab.secrets import merge, missing_values


def test_missing_values_keeps_what_exists() -> None:
    current = {"a": 1, "hashes": {"opsadmin": "$6$old"}}
    wanted = {"a": 2, "b": 3, "hashes": {"opsadmin": "$6$new", "auditor": "$6$x"}}
    assert missing_values(current, wanted) == {"b": 3, "hashes": {"auditor": "$6$x"}}


def test_merge_adds_without_replacing() -> None:
    current = {"hashes": {"opsadmin": "$6$old"}}
    merged = merge(current, {"hashes": {"auditor": "$6$x"}, "b": 1})
    assert merged == {"hashes": {"opsadmin": "$6$old", "auditor": "$6$x"}, "b": 1}
    assert current == {"hashes": {"opsadmin": "$6$old"}}
