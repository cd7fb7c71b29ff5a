"""Running the external tools medops drives (docker, ansible), with errors that name the command."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from medops.errors import MedopsError


def run(
    argv: Sequence[str],
    *,
    check: bool = True,
    input_text: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its output; raise MedopsError naming it when it fails and check is set.

    Tools installed beside this Python (the project's .venv) are found first.
    """
    full_env = dict(os.environ if env is None else env)
    venv_bin = str(Path(sys.executable).parent)
    full_env["PATH"] = venv_bin + os.pathsep + full_env.get("PATH", os.defpath)
    try:
        result = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            input=input_text,
            env=full_env,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise MedopsError(f"{argv[0]} is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise MedopsError(f"{shlex.join(argv)} did not finish within {timeout:.0f} s") from exc
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else "no output"
        raise MedopsError(f"{shlex.join(argv)} failed (exit {result.returncode}): {last}")
    return result
