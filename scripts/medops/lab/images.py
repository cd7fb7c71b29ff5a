"""Lab base images: debootstrap + docker import, cached by tag and rebuilt only when the recipe changes."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from medops.errors import MedopsError
from medops.proc import run

IMAGE_REPO = "medops/debian-systemd"
DEFAULT_MIRROR = "http://deb.debian.org/debian"


def image_tag(release: int) -> str:
    return f"{IMAGE_REPO}:{release}"


def recipe_hash(script: Path, release: int) -> str:
    """Hash of what decides an image's content: the build script and the release."""
    digest = hashlib.sha256()
    digest.update(script.read_bytes())
    digest.update(f"\nrelease={release}\n".encode())
    return digest.hexdigest()[:16]


def mirror_from_sources(text: str) -> str | None:
    """Find the main Debian archive URL in apt sources (deb822 or one-line format)."""
    for match in re.finditer(r"^URIs:\s*(\S+)", text, flags=re.MULTILINE):
        uri = match.group(1).rstrip("/")
        if not uri.endswith("-security"):
            return uri
    for match in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+", text, flags=re.MULTILINE):
        uri = match.group(1).rstrip("/")
        if not uri.endswith("-security"):
            return uri
    return None


def debian_mirror() -> str:
    """$MEDOPS_DEBIAN_MIRROR, else the mirror this machine's apt uses, else Debian's default."""
    env = os.environ.get("MEDOPS_DEBIAN_MIRROR")
    if env:
        return env.rstrip("/")
    for path in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        if path.is_file():
            found = mirror_from_sources(path.read_text(errors="replace"))
            if found:
                return found
    return DEFAULT_MIRROR


@dataclass(frozen=True)
class ImageState:
    release: int
    tag: str
    wanted: str
    current: str | None  # recipe label of the image present, None when absent

    @property
    def up_to_date(self) -> bool:
        return self.current == self.wanted


def image_state(script: Path, release: int) -> ImageState:
    tag = image_tag(release)
    wanted = recipe_hash(script, release)
    result = run(
        ["docker", "image", "inspect", "--format", '{{ index .Config.Labels "medops.recipe" }}', tag],
        check=False,
    )
    current = result.stdout.strip() if result.returncode == 0 else None
    return ImageState(release, tag, wanted, current)


def ensure_images(script: Path, releases: list[int], *, force: bool = False) -> list[str]:
    """Make every image present and current; returns one line per image saying what was done.

    $MEDOPS_LAB_IMAGE_<release> names a pulled image to use instead of building one.
    """
    messages: list[str] = []
    to_build: list[ImageState] = []
    for release in sorted(set(releases)):
        pulled = os.environ.get(f"MEDOPS_LAB_IMAGE_{release}")
        tag = image_tag(release)
        if pulled:
            run(["docker", "pull", pulled], timeout=1800)
            run(["docker", "tag", pulled, tag])
            messages.append(f"{tag}: using pulled image {pulled}")
            continue
        state = image_state(script, release)
        if state.up_to_date and not force:
            messages.append(f"{tag}: up to date (recipe {state.wanted})")
        else:
            to_build.append(state)
    mirror = debian_mirror()
    # debootstrap is mostly waiting on the network: build the releases side by side.
    builds = [
        (
            state,
            subprocess.Popen(
                ["bash", str(script), str(state.release), state.tag, state.wanted, mirror],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
        )
        for state in to_build
    ]
    failures: list[str] = []
    for state, proc in builds:
        output, _ = proc.communicate()
        if proc.returncode != 0:
            lines = output.strip().splitlines()
            # The build's own output says why: show its end before the one-line error.
            print("\n".join(lines[-30:]), file=sys.stderr)
            failures.append(f"{state.tag}: {lines[-1] if lines else 'no output'}")
        else:
            why = "absent" if state.current is None else f"recipe {state.current} -> {state.wanted}"
            messages.append(f"{state.tag}: built ({why})")
    if failures:
        raise MedopsError("image build failed: " + "; ".join(failures))
    return messages
