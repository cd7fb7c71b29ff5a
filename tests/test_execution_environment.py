"""The execution environment's definition (execution-environment.yml) turns into a build context that
carries exactly the project's pins. The image itself is built by `make ee` (it needs a registry for the
base image); this is the part CI can check without one."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFINITION = ROOT / "execution-environment.yml"


def _pins(text: str) -> dict[str, str]:
    """`name==version` lines (comments and blank lines skipped) as {canonical name: version}."""
    pins: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not an exact pin: {line}"
        pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins


@pytest.fixture(scope="module")
def lock() -> dict[str, str]:
    return _pins((ROOT / "requirements.lock").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def definition() -> dict[str, object]:
    loaded = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def ee_pins(definition: dict[str, object]) -> dict[str, str]:
    """Everything the image installs with pip: the python file plus ansible-core and ansible-runner."""
    dependencies = definition["dependencies"]
    assert isinstance(dependencies, dict)
    pins = _pins((DEFINITION.parent / dependencies["python"]).read_text(encoding="utf-8"))
    for key in ("ansible_core", "ansible_runner"):
        pins.update(_pins(dependencies[key]["package_pip"]))
    return pins


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ee") / "context"
    result = subprocess.run(
        [str(BIN / "ansible-builder"), "create", "--file", str(DEFINITION), "--context", str(folder),
         "--output-filename", "Containerfile"],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_definition_is_version_3_without_galaxy(definition: dict[str, object]) -> None:
    assert definition["version"] == 3
    dependencies = definition["dependencies"]
    assert isinstance(dependencies, dict)
    # Collections come with the ansible package: building needs no Galaxy server.
    assert "galaxy" not in dependencies


def test_every_pin_is_the_lock_version(ee_pins: dict[str, str], lock: dict[str, str]) -> None:
    assert {"ansible", "ansible-core", "ansible-runner"} <= set(ee_pins)
    differ = {name: (pin, lock.get(name)) for name, pin in ee_pins.items() if lock.get(name) != pin}
    assert differ == {}, f"execution environment pin (left) differs from requirements.lock (right): {differ}"


def test_pins_are_closed_under_dependencies(ee_pins: dict[str, str]) -> None:
    """Every package a pinned package needs is pinned too, so pip chooses nothing at build time.
    Read from the installed packages, which are the lock's versions (make venv)."""
    missing: dict[str, list[str]] = {}
    for name, version in ee_pins.items():
        distribution = metadata.distribution(name)
        assert distribution.version == version, f"{name} {distribution.version} installed, {version} pinned"
        for line in distribution.requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(requirement.name) not in ee_pins:
                missing.setdefault(name, []).append(requirement.name)
    assert missing == {}, f"needed but not pinned in the execution environment: {missing}"


def test_create_makes_a_context_with_the_pins(context: Path, ee_pins: dict[str, str]) -> None:
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile, re.M)
    assert refs is not None
    assert _pins("\n".join(refs[1].split())) == {
        "ansible-core": ee_pins["ansible-core"],
        "ansible-runner": ee_pins["ansible-runner"],
    }
    # make ee names the real base image through this build argument.
    assert re.search(r"^ARG EE_BASE_IMAGE=", containerfile, re.M)
    requirements = _pins((context / "_build" / "requirements.txt").read_text(encoding="utf-8"))
    assert requirements == {k: v for k, v in ee_pins.items() if k not in ("ansible-core", "ansible-runner")}
    assert (context / "_build" / "bindep.txt").is_file()


def test_builder_introspection_keeps_the_pins_and_packages(context: Path, ee_pins: dict[str, str]) -> None:
    """The builder stage merges the files through introspect.py before pip and the package manager see
    them: run that same script on the context and read what it would install."""
    build = context / "_build"
    result = subprocess.run(
        [sys.executable, "scripts/introspect.py", "introspect", "--user-pip=requirements.txt",
         "--user-bindep=bindep.txt", f"--write-pip={context}/pip.txt",
         f"--write-bindep={context}/bindep.txt"],
        capture_output=True, text=True, cwd=build, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _pins((context / "pip.txt").read_text(encoding="utf-8")).items() <= ee_pins.items()
    system = (context / "bindep.txt").read_text(encoding="utf-8")
    rpm = {line.split()[0] for line in system.splitlines() if "[platform:rpm]" in line}
    dpkg = {line.split()[0] for line in system.splitlines() if "[platform:dpkg]" in line}
    # SSH (and ssh-agent for AWX's machine credential) and git (medops_fact's version) on both families.
    assert rpm >= {"openssh-clients", "git-core"}
    assert dpkg >= {"openssh-client", "git"}
