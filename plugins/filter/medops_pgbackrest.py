"""Jinja filters for pgBackRest's console output, used by the roles that take a backup through the
pgbackrest role's wrapper (pgbackrest-backup-medops): the patch role before patching a database host,
the app role before a migration. Pure functions, tested in tests/test_filters.py. Like the other
filters, nothing here raises: output without a label gives '', which the callers' `assert` names.
"""

from __future__ import annotations

import re
from typing import Any

# "P00   INFO: new backup label = 20261123-224743F_20261123-230102D" (pgBackRest at log level info):
# a full backup's label, then for a diff or incr the label's own part, D or I.
_NEW_LABEL = re.compile(r"new backup label = (\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?)\s*$", re.MULTILINE)


def backup_label(output: Any) -> str:
    """The label of the backup a `pgbackrest backup` run took, from its console output; '' when the
    output names none (no backup ran, or it failed before the label was written)."""
    if not isinstance(output, str):
        return ""
    found = _NEW_LABEL.findall(output)
    return found[-1] if found else ""


class FilterModule:
    """Ansible entry point."""

    def filters(self) -> dict[str, Any]:
        return {"medops_backup_label": backup_label}
