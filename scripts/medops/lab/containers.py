"""Lab containers: systemd as PID 1, one per inventory host, on the lab's own Docker network."""

from __future__ import annotations

import time
from pathlib import Path

from medops.errors import MedopsError
from medops.lab.images import image_tag
from medops.lab.model import LabEstate, LabHost
from medops.paths import repo_root
from medops.proc import run

LABEL = "medops.lab"


def run_args(estate: LabEstate, host: LabHost) -> list[str]:
    """`docker run` arguments for one lab host (see docs/lab.md for why each is there)."""
    return [
        "docker",
        "run",
        "--detach",
        "--name",
        host.name,
        "--hostname",
        host.name,
        "--network",
        estate.network,
        "--ip",
        host.address,
        "--cap-add",
        "SYS_ADMIN",
        "--cap-add",
        "NET_ADMIN",
        "--cgroupns",
        "host",
        "--volume",
        "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs",
        "/run:rw,nosuid,nodev,mode=755",
        "--tmpfs",
        "/run/lock:rw,nosuid,nodev,noexec",
        "--tmpfs",
        "/tmp:rw,exec,nosuid,nodev",
        "--env",
        "container=docker",
        "--stop-signal",
        "SIGRTMIN+3",
        "--label",
        f"{LABEL}={estate.network}",
        "--label",
        f"{LABEL}.host={host.name}",
        image_tag(host.release),
    ]


def _inspect(name: str, template: str) -> str | None:
    result = run(["docker", "inspect", "--format", template, name], check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_network(estate: LabEstate) -> str:
    subnet = _inspect(estate.network, "{{ range .IPAM.Config }}{{ .Subnet }}{{ end }}")
    if subnet is None:
        run(
            [
                "docker",
                "network",
                "create",
                "--subnet",
                estate.subnet,
                "--label",
                f"{LABEL}={estate.network}",
                estate.network,
            ]
        )
        return f"network {estate.network}: created ({estate.subnet})"
    if subnet != estate.subnet:
        raise MedopsError(
            f"Docker network {estate.network} exists with subnet {subnet}, inventory says {estate.subnet}; "
            "run `make lab-down` first"
        )
    return f"network {estate.network}: present"


def ensure_host(estate: LabEstate, host: LabHost) -> str:
    """Create or start one host's container; never recreates one (lab data would be lost)."""
    state = _inspect(host.name, '{{ .State.Status }}|{{ index .Config.Labels "medops.lab.host" }}')
    if state is None:
        forget_cached_facts(host.name)
        run(run_args(estate, host))
        return f"{host.name}: created (Debian {host.release}, {host.address})"
    status, label = state.split("|", 1)
    if label != host.name:
        raise MedopsError(
            f"a container named {host.name} exists but is not a medops lab host; remove it first"
        )
    created_from = _inspect(host.name, "{{ .Config.Image }}")
    if created_from and created_from != image_tag(host.release):
        raise MedopsError(
            f"{host.name} runs {created_from} but inventory asks for Debian {host.release} "
            f"({image_tag(host.release)}); `make lab-down` then `make lab` rebuilds the lab (its data goes)"
        )
    image = _inspect(host.name, "{{ .Image }}")
    wanted = _inspect(image_tag(host.release), "{{ .Id }}")
    note = (
        "" if image == wanted else " (built from an older image; `make lab-down` then `make lab` to refresh)"
    )
    if status != "running":
        run(["docker", "start", host.name])
        return f"{host.name}: started{note}"
    return f"{host.name}: running{note}"


def wait_for_systemd(host: LabHost, timeout: float = 120.0) -> str:
    """Wait until systemd finished booting; 'running' or 'degraded' (with the failed units named)."""
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        result = run(["docker", "exec", host.name, "systemctl", "is-system-running"], check=False)
        state = result.stdout.strip()
        if state in ("running", "degraded"):
            break
        time.sleep(1)
    else:
        raise MedopsError(
            f"{host.name}: systemd did not finish booting within {timeout:.0f} s (state {state!r})"
        )
    if state == "degraded":
        failed = run(
            ["docker", "exec", host.name, "systemctl", "--failed", "--plain", "--no-legend"], check=False
        ).stdout.split()
        units = [word for word in failed if "." in word]
        return f"{host.name}: systemd degraded, failed units: {', '.join(units) or 'unknown'}"
    return f"{host.name}: systemd running"


def forget_cached_facts(name: str, root: Path | None = None) -> None:
    """A new container is a new host: Ansible's fact cache (ansible.cfg, a day) must not hand the
    facts of an earlier container with this name (another Debian release, say) to the next run."""
    folder = (root or repo_root()) / ".ansible" / "facts"
    for path in (folder / name, *folder.glob(f"*_{name}")):
        path.unlink(missing_ok=True)


def remove_lab(network: str) -> list[str]:
    """Remove the lab's containers and network (only those labelled as this lab's)."""
    messages: list[str] = []
    ids = run(["docker", "ps", "--all", "--quiet", "--filter", f"label={LABEL}={network}"]).stdout.split()
    if ids:
        names = run(["docker", "inspect", "--format", "{{ .Name }}", *ids]).stdout.split()
        run(["docker", "rm", "--force", "--volumes", *ids], timeout=300)
        for name in names:
            forget_cached_facts(name.lstrip("/"))
        messages.append("removed " + ", ".join(n.lstrip("/") for n in names))
    label = _inspect(network, f'{{{{ index .Labels "{LABEL}" }}}}')
    if label == network:
        run(["docker", "network", "rm", network])
        messages.append(f"removed network {network}")
    elif label is not None:
        messages.append(f"left network {network} alone: it is not the lab's")
    return messages or ["no lab to remove"]


def status(estate: LabEstate) -> list[tuple[str, str, str]]:
    """(host, address, container state) for every inventory host."""
    rows = []
    for host in estate.hosts:
        state = _inspect(host.name, "{{ .State.Status }}") or "absent"
        rows.append((host.name, host.address, state))
    return rows
