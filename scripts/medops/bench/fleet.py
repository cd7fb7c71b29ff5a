"""Throwaway light containers for the benchmarks, and the performance document's sections.

A light container runs the lab's base image with `sleep infinity` instead of systemd: no services, only
the files and Python, reached with `docker exec` (community.docker.docker for Ansible). Each benchmark
labels its containers and network, so that cleanup removes only its own, also those an interrupted run
left behind, and never another container on the machine.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import FrameType

from medops import __version__
from medops.errors import MedopsError

IMAGE = "medops/debian-systemd:12"


def docker(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `docker <args>`; raise MedopsError naming the subcommand when it fails and check is set."""
    try:
        result = subprocess.run(
            ["docker", *args], capture_output=True, text=True, check=False, timeout=timeout
        )
    except FileNotFoundError:
        raise MedopsError("docker is not installed (make engine)") from None
    if check and result.returncode != 0:
        raise MedopsError(f"docker {args[0]} failed: {(result.stderr or result.stdout).strip()[-300:]}")
    return result


@dataclass(frozen=True)
class Fleet:
    """N light containers named <prefix><number>, labelled <label>, on `network` (created with `subnet`
    and removed with the containers) or on no network at all."""

    label: str
    prefix: str
    image: str = IMAGE
    network: str | None = None
    subnet: str | None = None
    width: int = 3

    def names(self, count: int) -> list[str]:
        return [f"{self.prefix}{n:0{self.width}d}" for n in range(1, count + 1)]

    def remove(self) -> int:
        """Remove this fleet's containers and network (only those carrying its label); how many containers."""
        ids = docker("ps", "-aq", "--filter", f"label={self.label}").stdout.split()
        if ids:
            docker("rm", "-f", "-v", *ids, timeout=600)
        if self.network and self._network_is_ours():
            self._remove_network()
        return len(ids)

    def _remove_network(self, attempts: int = 10) -> None:
        """A loaded engine may still hold endpoints of containers it just removed: try again for a while,
        then leave the network (start() reuses it) rather than fail the cleanup."""
        for attempt in range(attempts):
            result = docker("network", "rm", str(self.network), check=False)
            if result.returncode == 0 or "not found" in result.stderr:
                return
            if attempt + 1 < attempts:
                time.sleep(3)
        print(
            f"left the network {self.network}: {result.stderr.strip()[-200:]} (the next run reuses it)",
            file=sys.stderr,
            flush=True,
        )

    def _network_is_ours(self) -> bool:
        key, _, value = self.label.partition("=")
        template = f'{{{{ index .Labels "{key}" }}}}'
        found = docker("network", "inspect", "--format", template, str(self.network), check=False)
        return found.returncode == 0 and found.stdout.strip() == value

    def start(self, count: int) -> list[str]:
        if docker("image", "inspect", self.image, check=False).returncode != 0:
            raise MedopsError(f"image {self.image} is missing (make images)")
        if self.network:
            if self._network_is_ours():
                pass  # left by an earlier run whose cleanup the engine refused (stale endpoints)
            elif docker("network", "inspect", self.network, check=False).returncode == 0:
                raise MedopsError(f"a docker network {self.network} exists and is not this benchmark's")
            else:
                docker("network", "create", "--subnet", str(self.subnet), "--label", self.label, self.network)
        names = self.names(count)
        network = self.network or "none"

        def start(name: str) -> None:
            docker(
                "run", "-d", "--name", name, "--hostname", name, "--label", self.label,
                "--network", network, "--entrypoint", "sleep", self.image, "infinity",
            )  # fmt: skip

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(start, names))
        return names

    def others_running(self) -> int:
        """Containers running besides this fleet's: what else competed for the CPUs."""
        running = set(docker("ps", "-q").stdout.split())
        ours = set(docker("ps", "-q", "--filter", f"label={self.label}").stdout.split())
        return len(running - ours)


def _stop_on_term(signum: int, frame: FrameType | None) -> None:
    print(f"terminated by signal {signum}: removing the benchmark's containers", file=sys.stderr, flush=True)
    # A second SIGTERM must not cut the cleanup short (containers or the network left behind).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


@contextmanager
def cleanup_on_term() -> Iterator[None]:
    """Turn SIGTERM (a killed make, a CI timeout) into SystemExit, so `finally:` blocks remove the
    containers as they do after an error or Ctrl-C."""
    previous = signal.signal(signal.SIGTERM, _stop_on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them ("-" where unreadable)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "-"


def versions(packages: Sequence[str] = ("ansible-core",)) -> dict[str, str]:
    """medops, Python, the named Python packages and the Docker engine, for the document."""
    found = {"medops": __version__, "python": platform.python_version()}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "-"
    engine = docker("version", "--format", "{{.Server.Version}}", check=False)
    found["docker"] = engine.stdout.strip() or "-"
    return found


def cpus() -> int:
    return os.cpu_count() or 1


def write_section(doc: Path, heading: str, text: str) -> None:
    """Replace the section that starts with `heading` (a `## ` line) up to the next `## ` line, or add it
    at the end; every other section of the document stays as it is."""
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n\n"
    lines = current.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        new = current.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "".join(lines[:start]) + text.rstrip("\n") + "\n" + ("\n" if end < len(lines) else "")
        new += "".join(lines[end:])
    doc.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
