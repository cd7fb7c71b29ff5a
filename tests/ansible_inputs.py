"""Run a role's input checks through ansible-playbook in check mode, isolated from the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_input_check(
    playbook: str, variables: dict[str, Any], tmp_path: Path, inventory: str = "localhost,"
) -> subprocess.CompletedProcess[str]:
    """tests/playbooks/<playbook> with `variables` as extra vars, in check mode, with its own HOME
    and fact cache (facts a test makes up never reach the checkout's)."""
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(variables))
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", inventory, "--check", "-e", f"@{vars_file}",
         str(ROOT / "tests" / "playbooks" / playbook)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={
            "PATH": f"{BIN}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(tmp_path / "facts"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
        },
    )  # fmt: skip
