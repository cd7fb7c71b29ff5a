"""Write molecule/estate-patch-dr/molecule.yml: molecule/estate/molecule.yml for a second estate.

The two scenarios converge the same estate with the same settings and run different tests side by side
(molecule/estate: deploys, inspection, drift; molecule/estate-patch-dr: the patch cycle, the DR drill),
so CI waits for the longer of the two instead of their sum. Molecule has no include, so the copy is
generated: host names, the Docker network and its subnet change, and the copy records no run history
(ARA): its tests never read it, and ARA's callback writes every task result to a database on the suite's
critical path. Nothing else changes. `make lint` (--check) fails when the committed copy differs from
what this writes.

Usage: python scripts/ci/estate_copy.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "molecule" / "estate" / "molecule.yml"
TARGET = ROOT / "molecule" / "estate-patch-dr" / "molecule.yml"
# What differs between the two estates.
CHANGES = (
    ("medops-molecule-estate", "medops-molecule-estate-patch-dr"),
    ("molecule-estate-", "molecule-estate-patch-dr-"),
    ("172.30.82.", "172.30.83."),
)
# ARA's settings in the estate's molecule.yml (its run history, which test_3_drift.py searches) and what
# the copy has instead.
ARA_ENV = (
    "    # Run history: every playbook run of the scenario is recorded by ARA in its ephemeral folder\n"
    "    # (scripts/ci/molecule-all.sh finds ARA's callback folder; test_3_drift.py searches the database).\n"
    '    ANSIBLE_CALLBACK_PLUGINS: "${MOLECULE_PROJECT_DIRECTORY}/plugins/callback:${MEDOPS_ARA_CALLBACKS}"\n'
    "    ANSIBLE_CALLBACKS_ENABLED: ara_default\n"
    "    ARA_BASE_DIR: ${MOLECULE_EPHEMERAL_DIRECTORY}/ara\n"
)
NO_ARA_ENV = (
    "    # No run history (ARA) here: these tests never read it, and its callback would write every task\n"
    "    # result to a database on the suite's critical path. molecule/estate records and tests it.\n"
    '    ANSIBLE_CALLBACK_PLUGINS: "${MOLECULE_PROJECT_DIRECTORY}/plugins/callback"\n'
)
ARA_CONFIG = re.compile(r"    # What ARA never keeps[^\n]*\n(?:    #[^\n]*\n)*    ara:\n(?:      [^\n]*\n)+")
HEADER = (
    "# GENERATED from molecule/estate/molecule.yml by `make scenarios` (scripts/ci/estate_copy.py): edit\n"
    "# that file, then regenerate. This scenario runs tests/ of its own folder: the patch cycle and the DR\n"
    "# drill, side by side with molecule/estate, whose test_3_drift.py proves check mode on this same\n"
    "# estate.\n"
)


def copy(text: str) -> str:
    """The estate's molecule.yml as the second estate's: one prefix, one network, one subnet changed.

    One pass over the text, so a replacement is never replaced again (the new network's name holds the
    old hosts' prefix)."""
    for old, _ in CHANGES:
        if old not in text:
            raise ValueError(f"molecule/estate/molecule.yml no longer holds {old!r}: update CHANGES")
    if ARA_ENV not in text or not ARA_CONFIG.search(text):
        raise ValueError(
            "molecule/estate/molecule.yml no longer holds ARA's settings as written: update ARA_ENV"
        )
    text = ARA_CONFIG.sub("", text.replace(ARA_ENV, NO_ARA_ENV), count=1)
    table = dict(CHANGES)
    pattern = re.compile("|".join(re.escape(old) for old in sorted(table, key=len, reverse=True)))
    return HEADER + pattern.sub(lambda found: table[found.group(0)], text)


def main(argv: list[str]) -> int:
    wanted = copy(SOURCE.read_text(encoding="utf-8"))
    if argv[1:] == ["--check"]:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != wanted:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run make scenarios", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print("usage: estate_copy.py [--check]", file=sys.stderr)
        return 2
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(wanted, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
