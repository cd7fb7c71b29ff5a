from __future__ import annotations

from pathlib import Path

from medops.lab.images import mirror_from_sources, recipe_hash

DEB822 = """Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
"""


def test_mirror_from_deb822_skips_security() -> None:
    assert mirror_from_sources(DEB822) == "http://mirror.example/debian"


def test_mirror_from_one_line_format() -> None:
    text = "deb [arch=amd64] http://mirror.example/debian/ bookworm main\n"
    assert mirror_from_sources(text) == "http://mirror.example/debian"


def test_mirror_absent() -> None:
    assert mirror_from_sources("# nothing here\n") is None


def test_recipe_hash_changes_with_script_and_release(tmp_path: Path) -> None:
    script = tmp_path / "build.sh"
    script.write_text("echo one\n")
    first = recipe_hash(script, 12)
    assert recipe_hash(script, 12) == first
    assert recipe_hash(script, 13) != first
    script.write_text("echo two\n")
    assert recipe_hash(script, 12) != first
