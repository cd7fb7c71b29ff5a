"""The only part of the inspection that runs commands: one round trip per host, every host at once.

Each host gets the collection script (collect.sh, beside this file) on the stdin of one command
(`docker exec -i`, `ssh ... sudo -n sh -s`, or `sh -s`), preceded by its parameters. A thread pool runs
the hosts concurrently; each has its own timeout. A host that cannot be reached, refuses, or does not
answer in time is a Collected with an error, never an exception: the run reports every other host.

Why not pyinfra or Ansible: both spend several round trips per host (pyinfra's docker connector inspects
the container before each `docker exec`; Ansible's setup module ships and runs a Python module), and this
runs one. The numbers are in docs/performance.md ("Inspection").
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from medops.inspect.targets import Target

SCRIPT_NAME = "collect.sh"


@dataclass(frozen=True)
class Job:
    target: Target
    since: int  # epoch: journal errors are counted from here (the previous inspection of the host)
    services: tuple[str, ...] = ()  # extra units (inventory)
    certificates: tuple[str, ...] = ()  # extra certificate files (inventory)


@dataclass(frozen=True)
class Collected:
    target: Target
    nonce: str
    output: str  # everything the script printed (possibly partial when error is set)
    error: str  # "" when the script ran to its end; otherwise why not, in one line
    started_at: datetime
    seconds: float

    @property
    def reached(self) -> bool:
        return not self.error


def script_text() -> str:
    return resources.files("medops.inspect").joinpath(SCRIPT_NAME).read_text(encoding="utf-8")


def script_for(job: Job, nonce: str, body: str | None = None) -> str:
    """The script one host receives: its parameters, then collect.sh."""
    params = {
        "MEDOPS_NONCE": nonce,
        "MEDOPS_SINCE": str(job.since),
        "MEDOPS_HOST": job.target.name,
        "MEDOPS_UNITS": " ".join(job.services),
        "MEDOPS_CERTS": " ".join(job.certificates),
    }
    header = "".join(f"{key}={shlex.quote(value)}\n" for key, value in params.items())
    return header + (script_text() if body is None else body)


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def collect_host(job: Job, timeout: float, *, body: str | None = None, last: str = "health") -> Collected:
    """Run the script on one host; never raises for a host that cannot be reached.

    `last` is the script's final section: the run is complete when its end marker arrived.
    """
    target = job.target
    nonce = secrets.token_hex(8)
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    if target.problem:
        return Collected(target, nonce, "", target.problem, started_at, 0.0)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
    env["LC_ALL"] = "C"
    try:
        result = subprocess.run(
            list(target.argv),
            input=script_for(job, nonce, body).encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except FileNotFoundError:
        return Collected(
            target, nonce, "", f"{target.argv[0]} is not installed on this machine", started_at, 0.0
        )
    except subprocess.TimeoutExpired as exc:
        partial = _text(exc.stdout)
        error = f"no complete answer within {timeout:g} s (--timeout)"
        return Collected(target, nonce, partial, error, started_at, time.monotonic() - clock)
    output, stderr = _text(result.stdout), _text(result.stderr)
    seconds = time.monotonic() - clock
    finished = f"==MEDOPS {nonce} end {last} " in output
    if result.returncode != 0 or not finished:
        reason = _last_line(stderr) or _last_line(output) or "no output"
        error = f"{target.connection} exited with {result.returncode}: {reason}"
        if result.returncode == 0:
            error = f"the collection script stopped early: {reason}"
        return Collected(target, nonce, output, error, started_at, seconds)
    return Collected(target, nonce, output, "", started_at, seconds)


ProgressCallback = Callable[[Collected, int, int], None]


def collect_all(
    jobs: Sequence[Job],
    *,
    workers: int,
    timeout: float,
    progress: ProgressCallback | None = None,
    body: str | None = None,
    last: str = "health",
) -> list[Collected]:
    """Every host at once (at most `workers` at a time); results in the order of `jobs`."""
    if not jobs:
        return []
    results: dict[str, Collected] = {}
    with ThreadPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))), thread_name_prefix="inspect"
    ) as pool:
        futures = {pool.submit(collect_host, job, timeout, body=body, last=last): job for job in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            collected = future.result()
            results[collected.target.name] = collected
            if progress is not None:
                progress(collected, done, len(jobs))
    return [results[job.target.name] for job in jobs]
