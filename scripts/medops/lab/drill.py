"""`make drill` (`medops lab drill`): a whole disaster-recovery drill of one system on the lab.

The steps an engineer and the emergency plan take, with the lab standing in for the incident
(docs/runbooks/dr-drill.md, "A whole drill on the lab"):

1. a restore test of the system (the last row counts known, and proof the spare restores);
2. write load: an application host posts a report through its nginx every 0.2 s;
3. the primary killed without warning (`docker kill`), the time noted as the failure;
4. `playbooks/dr-rebuild.yml -e failed_at=<that time> -e drill=true` on the spare;
5. write load on the temporary environment (through the spare's nginx);
6. the primary replaced by a fresh container (removed, created again by the lab tooling);
7. `playbooks/dr-failback.yml`, then `playbooks/site.yml --limit <primary>` for the rest of the baseline;
8. the drill's report (`medops drill report`) and its headline figures.

Playbooks print as they run; every step says what it does first, and a failed step stops the drill
with its name (the records written so far stay). The plan is pure data (`plan_drill`), tested apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from medops.errors import MedopsError
from medops.lab import containers
from medops.lab.model import LabEstate, LabHost

WRITER = (
    "while [ ! -f /tmp/medops-drill-stop-{name} ]; do "
    "out=$(curl -s -k --max-time 3 -H 'Content-Type: application/json' "
    '-d \'{{"institution_code": "DRILL-{code}", "period": "2026-11", "indicator": "drill", "value": 1}}\' '
    "-w ' %{{http_code}}' https://{address}/api/reports); "
    'echo "$(date +%s.%N)" $out >> /tmp/medops-drill-{name}.log; sleep 0.2; done'
)


@dataclass(frozen=True)
class DrillPlan:
    system: str
    primary: LabHost
    spare: LabHost
    app: LabHost  # the application host that writes (and reads) the load
    write_seconds: float  # write load on the primary before the crash
    temporary_seconds: float  # write load on the temporary environment


def plan_drill(estate: LabEstate, system: str, write_seconds: float, temporary_seconds: float) -> DrillPlan:
    """Which lab hosts play which part; MedopsError naming what the inventory lacks."""

    def members(group: str) -> list[LabHost]:
        return [h for h in estate.hosts if group in h.groups]

    primaries, spares, apps = members(f"{system}_db"), members("spare"), members(f"{system}_app")
    if len(primaries) != 1:
        raise MedopsError(f"system {system!r} needs exactly one host in {system}_db (has {len(primaries)})")
    if not spares:
        raise MedopsError("the lab has no host in group spare")
    if not apps:
        raise MedopsError(f"system {system!r} has no host in {system}_app")
    return DrillPlan(system, primaries[0], spares[0], apps[0], write_seconds, temporary_seconds)


def committed(log: str) -> list[tuple[float, int]]:
    """(time, id) of every report the writer's log shows acknowledged as committed (HTTP 201)."""
    rows = []
    for line in log.splitlines():
        stamp, _, rest = line.partition(" ")
        body, _, code = rest.rpartition(" ")
        if code != "201":
            continue
        try:
            rows.append((float(stamp), int(json.loads(body)["id"])))
        except (ValueError, KeyError, TypeError):
            continue
    return rows


class Drill:
    """Runs the steps of a DrillPlan against the lab, saying each before it runs."""

    def __init__(self, root: Path, estate: LabEstate, plan: DrillPlan, say: Callable[[str], None]) -> None:
        self.root = root
        self.estate = estate
        self.plan = plan
        self.say = say

    def _docker(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["docker", *argv], capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise MedopsError(
                f"docker {' '.join(argv)} failed: {result.stderr.strip() or result.stdout.strip()}"
            )
        return result

    def _playbook(self, step: str, name: str, *extra: str) -> None:
        self.say(f"== {step}: ansible-playbook playbooks/{name} {' '.join(extra)}")
        started = time.monotonic()
        env = dict(os.environ)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
        done = subprocess.run(
            ["ansible-playbook", f"playbooks/{name}", *extra], cwd=self.root, env=env, check=False
        )
        if done.returncode != 0:
            raise MedopsError(f"drill stopped at {step!r}: playbooks/{name} failed (exit {done.returncode})")
        self.say(f"== {step}: {time.monotonic() - started:.0f} s")

    def _start_writer(self, name: str, address: str) -> None:
        app = self.plan.app.name
        self._docker(
            "exec", app, "rm", "-f", f"/tmp/medops-drill-stop-{name}", f"/tmp/medops-drill-{name}.log"
        )
        script = WRITER.format(name=name, address=address, code=name.upper())
        self._docker("exec", "-d", app, "bash", "-c", script)

    def _stop_writer(self, name: str) -> list[tuple[float, int]]:
        app = self.plan.app.name
        self._docker("exec", app, "touch", f"/tmp/medops-drill-stop-{name}")
        time.sleep(4)
        log = self._docker("exec", app, "cat", f"/tmp/medops-drill-{name}.log", check=False).stdout
        return committed(log)

    def run(self) -> None:
        plan, system = self.plan, self.plan.system
        self._playbook("restore test", "restore-test.yml", "-e", f"system={system}")
        self.say(f"== write load: {plan.app.name} posts a report every 0.2 s for {plan.write_seconds:.0f} s")
        self._start_writer("primary", "127.0.0.1")
        time.sleep(plan.write_seconds)
        failed_at = datetime.now(UTC).replace(microsecond=0)
        self.say(f"== crash: docker kill {plan.primary.name} at {failed_at.isoformat()}")
        self._docker("kill", plan.primary.name)
        rows = self._stop_writer("primary")
        self.say(f"== write load: {len(rows)} reports committed on the primary")
        self._playbook(
            "rebuild",
            "dr-rebuild.yml",
            "-e",
            f"system={system}",
            "-e",
            f"failed_at={failed_at.isoformat().replace('+00:00', 'Z')}",
            "-e",
            "drill=true",
        )
        seconds = plan.temporary_seconds
        self.say(f"== temporary environment: reports through {plan.spare.name}'s nginx for {seconds:.0f} s")
        self._start_writer("temporary", plan.spare.address)
        time.sleep(plan.temporary_seconds)
        rows = self._stop_writer("temporary")
        self.say(f"== temporary environment: {len(rows)} reports committed")
        if not rows:
            raise MedopsError("drill stopped: nothing could be written on the temporary environment")
        self.say(f"== repair: {plan.primary.name} replaced by a fresh container")
        self._docker("rm", "--force", plan.primary.name)
        self.say(containers.ensure_host(self.estate, plan.primary))
        self.say(containers.wait_for_systemd(plan.primary))
        self._playbook("fail-back", "dr-failback.yml", "-e", f"system={system}")
        self._playbook("converge the new primary", "site.yml", "--limit", plan.primary.name)


def run_drill(root: Path, estate: LabEstate, plan: DrillPlan, say: Callable[[str], None] = print) -> None:
    """Run the whole drill; MedopsError names the step that failed."""
    Drill(root, estate, plan, say).run()


def newest_record(records: Path, system: str, started_after: float) -> str | None:
    """The id of the system's newest drill record written since `started_after` (epoch seconds)."""
    found: Sequence[Path] = sorted((records / "drills").glob(f"{system}-*.json"))
    fresh = [p for p in found if p.stat().st_mtime >= started_after]
    return fresh[-1].stem if fresh else None
