"""Converge speed at fleet size: `make bench-converge` (light containers) and `make bench-lab-converge`.

Fleet mode starts N light containers (the lab's base image running `sleep infinity`, on the Docker network
medops-bench, labelled medops.bench=converge) and times `ansible-playbook` of converge.yml (next to this
file) with the repository's ansible.cfg, changing one performance setting at a time through Ansible's
environment variables: forks, strategy (linear or free), pipelining, and the fact cache (gathering smart
with a jsonfile cache, against gathering every run). "Ansible defaults" is the same run with Ansible's own
values for all four (5 forks, linear, no pipelining, facts gathered every run). The containers are reached
through the connection's full name, community.docker.docker, which Mitogen leaves to stock Ansible as it
leaves production's ansible.builtin.ssh: the rows are what production runs. One row adds Mitogen (the short
name `docker`, the lab's), which the lab and molecule use. A first run (nothing
there yet, empty fact cache) and a no-op re-run are timed where they differ. The results replace the
"Converge at fleet size" section of docs/performance.md; the containers and the network are removed at
the end, also after an error, Ctrl-C or SIGTERM.

Lab mode (--lab) times playbooks/site.yml on the lab's seven systemd hosts, tuned ansible.cfg against
Ansible's defaults, first run (a freshly created lab) and no-op re-run. It removes and re-creates the lab
twice, so it runs only when asked by name (`make bench-lab-converge LAB_REBUILD=yes`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medops.bench.fleet import IMAGE, Fleet, cleanup_on_term, cpus, loadavg, versions, write_section
from medops.errors import MedopsError
from medops.paths import repo_root

LABEL = "medops.bench=converge"
PREFIX = "medops-bench-"
NETWORK = "medops-bench"
# Clear of the lab (172.30.77.0/24) and the molecule scenarios (172.30.78-81.0/24).
SUBNET = "172.30.90.0/23"
SECTION = "## Converge at fleet size"
LAB_SECTION = "## Lab converge: tuned ansible.cfg against Ansible's defaults"
PLAYBOOK = Path(__file__).with_name("converge.yml")
# On the containers, not on this machine.
STATE_DIR = "/var/tmp/medops-bench"  # noqa: S108
FORKS = (5, 20, 50, 100)
TIMEOUT = 3600.0


@dataclass(frozen=True)
class Settings:
    """The performance settings a run changes; everything else is the repository's ansible.cfg."""

    forks: int
    # ansible.cfg's: Ansible's linear strategy through Mitogen's (plugins/strategy). Mitogen takes over only
    # the hosts whose connection has a short name it knows (`mitogen` below); it leaves the others, as it
    # leaves production's ansible.builtin.ssh, to stock Ansible.
    strategy: str = "mitogen_linear"
    pipelining: bool = True
    fact_cache: bool = True
    # The short connection name, as the lab and molecule name it.
    mitogen: bool = False

    def __post_init__(self) -> None:
        if self.mitogen and self.strategy != "mitogen_linear":
            raise ValueError(f"Mitogen needs the strategy mitogen_linear, not {self.strategy!r}")

    @property
    def connection(self) -> str:
        """The hosts' connection name: the short one Mitogen takes over, or the full one it leaves."""
        return "docker" if self.mitogen else "community.docker.docker"

    def env(self, cache_dir: Path) -> dict[str, str]:
        """Ansible's environment variables for these settings (they override ansible.cfg)."""
        return {
            "ANSIBLE_FORKS": str(self.forks),
            "ANSIBLE_STRATEGY": self.strategy,
            "ANSIBLE_PIPELINING": str(self.pipelining),
            "ANSIBLE_GATHERING": "smart" if self.fact_cache else "implicit",
            "ANSIBLE_CACHE_PLUGIN": "ansible.builtin.jsonfile"
            if self.fact_cache
            else "ansible.builtin.memory",
            "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(cache_dir),
            "ANSIBLE_CACHE_PLUGIN_TIMEOUT": "86400",
        }


# Ansible's own values, and the repository's ansible.cfg (forks 20, pipelining, a day's fact cache) as
# production runs it (stock Ansible over ansible.builtin.ssh); the lab and molecule add Mitogen.
DEFAULTS = Settings(forks=5, strategy="linear", pipelining=False, fact_cache=False)
TUNED = Settings(forks=20)
LAB_TUNED = Settings(forks=20, mitogen=True)


@dataclass(frozen=True)
class Case:
    """One line of the table: settings, and whether a first run is timed before the no-op re-run.

    `state` names the hosts' folder (and fact cache) the case converges: cases sharing "tuned" re-run on
    what the medops ansible.cfg case converged, with its warm fact cache."""

    label: str
    settings: Settings
    state: str
    first: bool = False


def plan(hosts: int, forks: Sequence[int] = FORKS) -> list[Case]:
    """The medops ansible.cfg (first run, then no-op re-run), Ansible's defaults re-running on what it
    converged, then one setting changed at a time from the medops ansible.cfg. Ansible's defaults get no
    first run here: at 5 forks without pipelining it is the longest run by far, and the lab benchmark
    (`--lab`) times it where it matters, on real hosts."""
    sweep = [f for f in forks if f <= hosts and f != TUNED.forks]
    # The other settings are compared at 50 forks, or at the most forks there are hosts for.
    middle = 50 if hosts >= 50 else max((f for f in forks if f <= hosts), default=TUNED.forks)
    cases = [
        Case("medops ansible.cfg", TUNED, "tuned", first=True),
        Case("Ansible defaults", DEFAULTS, "tuned"),
    ]
    cases += [Case(f"medops ansible.cfg, forks {f}", Settings(forks=f), "tuned") for f in sweep]
    cases += [
        Case(f"Mitogen, forks {middle}", Settings(forks=middle, mitogen=True), "tuned"),
        # Stock Ansible's linear strategy: what Mitogen's strategy costs the hosts it does not take over.
        Case(f"strategy linear, forks {middle}", Settings(forks=middle, strategy="linear"), "tuned"),
        Case(f"strategy free, forks {middle}", Settings(forks=middle, strategy="free"), "tuned"),
        Case(f"pipelining off, forks {middle}", Settings(forks=middle, pipelining=False), "tuned"),
        Case(f"fact cache off, forks {middle}", Settings(forks=middle, fact_cache=False), "tuned"),
    ]
    return cases


@dataclass(frozen=True)
class Recap:
    ok: int
    changed: int
    unreachable: int
    failed: int


RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)",
    re.M,
)


def parse_recap(stdout: str) -> dict[str, Recap]:
    """The PLAY RECAP lines of ansible-playbook's default output, per host."""
    recap = stdout.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in stdout else ""
    return {
        m["host"]: Recap(int(m["ok"]), int(m["changed"]), int(m["unreachable"]), int(m["failed"]))
        for m in RECAP.finditer(recap)
    }


@dataclass
class Timed:
    seconds: float
    hosts: int
    ok: int
    changed: int
    load: str
    rc: int


@dataclass
class Result:
    case: Case
    first: Timed | None
    rerun: Timed


def ansible_env(
    settings: Settings, cache_dir: Path, root: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a timed run: the caller's, without its ANSIBLE_* settings, plus the
    repository's ansible.cfg and the settings under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", os.defpath)
    env.update(ANSIBLE_CONFIG=str(root / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(settings.env(cache_dir))
    env.update(extra or {})
    return env


def timed_playbook(argv: Sequence[str], env: Mapping[str, str], root: Path, hosts: int) -> Timed:
    load = loadavg().split()[0]
    started = time.monotonic()
    result = subprocess.run(
        list(argv), capture_output=True, text=True, check=False, cwd=root, env=dict(env), timeout=TIMEOUT
    )
    elapsed = time.monotonic() - started
    recap = parse_recap(result.stdout)
    if not recap:
        raise MedopsError(
            f"{' '.join(argv[:3])}: no PLAY RECAP (exit {result.returncode}): {result.stderr[-300:]}"
        )
    ok = sum(1 for r in recap.values() if not (r.failed or r.unreachable))
    changed = sum(1 for r in recap.values() if r.changed)
    return Timed(round(elapsed, 1), hosts, ok, changed, load, result.returncode)


def _inventory(names: Sequence[str], folder: Path, connection: str) -> Path:
    path = folder / f"bench-{connection.replace('.', '-')}.yml"
    lines = [
        "all:",
        "  vars:",
        f"    ansible_connection: {connection}",
        "    ansible_user: root",
        "    ansible_python_interpreter: /usr/bin/python3",
        "  hosts:",
    ]
    lines += [f"    {name}: {{}}" for name in names]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _show(label: str, kind: str, run: Timed) -> None:
    print(
        f"{time.strftime('%H:%M:%S')} {label}: {kind} {run.seconds:.1f} s, {run.ok}/{run.hosts} hosts ok, "
        f"{run.changed} changed "
        f"(load {run.load})",
        flush=True,
    )


def measure_fleet(count: int, image: str, cases: Sequence[Case]) -> tuple[list[Result], dict[str, Any]]:
    root = repo_root()
    fleet = Fleet(label=LABEL, prefix=PREFIX, image=image, network=NETWORK, subnet=SUBNET)
    removed = fleet.remove()
    if removed:
        print(f"removed {removed} container(s) left by an earlier benchmark")
    context: dict[str, Any] = {"hosts": count, "cpus": cpus(), "image": image, "load": [loadavg()]}
    results: list[Result] = []
    with cleanup_on_term(), tempfile.TemporaryDirectory(prefix="medops-bench-") as folder:
        try:
            started = time.monotonic()
            names = fleet.start(count)
            context["start_seconds"] = round(time.monotonic() - started, 1)
            print(f"started {count} containers in {context['start_seconds']} s", flush=True)
            context["others_running"] = fleet.others_running()
            # One inventory per connection name the cases use, written once.
            inventories = {
                name: _inventory(names, Path(folder), name) for name in {c.settings.connection for c in cases}
            }
            for case in cases:
                # Other work may start during the benchmark: the most containers seen beside ours.
                context["others_running"] = max(context["others_running"], fleet.others_running())
                cache = Path(folder) / "facts" / case.state
                inventory = inventories[case.settings.connection]
                argv = [
                    str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
                    str(PLAYBOOK), "-e", f"bench_dir={STATE_DIR}/{case.state}",
                ]  # fmt: skip
                env = ansible_env(case.settings, cache, root)
                first = None
                if case.first:
                    first = timed_playbook(argv, env, root, count)
                    _show(case.label, "first run", first)
                rerun = timed_playbook(argv, env, root, count)
                _show(case.label, "no-op re-run", rerun)
                results.append(Result(case, first, rerun))
            context["load"].append(loadavg())
        finally:
            fleet.remove()
            print(f"removed the {count} benchmark containers", flush=True)
    context["versions"] = versions()
    context["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return results, context


def _medops(*args: str, root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "medops", *args], capture_output=True, text=True, cwd=root, check=False
    )
    print(result.stdout.rstrip(), flush=True)
    if result.returncode != 0:
        raise MedopsError(f"medops {' '.join(args)} failed: {result.stderr.strip()[-300:]}")


def measure_lab() -> tuple[list[Result], dict[str, Any]]:
    """site.yml on a freshly created lab and again (no-op), with Ansible's defaults, then with the
    repository's ansible.cfg. Leaves the lab converged (not deployed: `make lab` deploys)."""
    root = repo_root()
    context: dict[str, Any] = {"cpus": cpus(), "load": [loadavg()]}
    _medops("lab", "secrets", root=root)
    results: list[Result] = []
    with cleanup_on_term():
        # The lab's hosts are reached as `docker`, so its tuned run is Mitogen's, as `make lab` runs.
        for label, settings in (("Ansible defaults", DEFAULTS), ("medops ansible.cfg", LAB_TUNED)):
            _medops("lab", "down", root=root)
            _medops("lab", "up", root=root)
            argv = [str(Path(sys.executable).parent / "ansible-playbook"), "playbooks/site.yml"]
            # The checkout's fact cache, as `make converge` uses it (`lab down` forgot the old hosts).
            records = {"MEDOPS_RECORDS": str(root / ".lab" / "records")}
            env = ansible_env(settings, root / ".ansible" / "facts", root, records)
            hosts = len(json.loads(subprocess.run(
                [str(Path(sys.executable).parent / "ansible-inventory"), "--list"], capture_output=True,
                text=True, check=True, cwd=root, env=env).stdout)["_meta"]["hostvars"])  # fmt: skip
            context["hosts"] = hosts
            first = timed_playbook(argv, env, root, hosts)
            _show(label, "first run", first)
            rerun = timed_playbook(argv, env, root, hosts)
            _show(label, "no-op re-run", rerun)
            results.append(Result(Case(label, settings, "lab", first=True), first, rerun))
    context["load"].append(loadavg())
    context["versions"] = versions()
    context["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return results, context


# --- the document -------------------------------------------------------------------------------------


def _seconds(run: Timed | None) -> str:
    if run is None:
        return "-"
    failed = "" if run.ok == run.hosts and run.rc == 0 else f" ({run.hosts - run.ok} failed)"
    return f"{run.seconds:.1f} s{failed}"


def _table(results: Sequence[Result]) -> list[str]:
    lines = [
        "| run | forks | strategy | Mitogen | pipelining | fact cache | first run | no-op re-run "
        "| hosts changed by the re-run | load before (1 min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        s = r.case.settings
        loads = " / ".join(t.load for t in (r.first, r.rerun) if t is not None)
        switches = " | ".join("on" if on else "off" for on in (s.mitogen, s.pipelining, s.fact_cache))
        lines.append(
            f"| {r.case.label} | {s.forks} | {s.strategy} | {switches} "
            f"| {_seconds(r.first)} | {_seconds(r.rerun)} | {r.rerun.changed} of {r.rerun.hosts} | {loads} |"
        )
    return lines


def _ratio(before: float, after: float) -> str:
    """How much faster (or slower) `after` is than `before`: "3.3 x faster", "1.2 x slower"."""
    if before <= 0 or after <= 0:
        return "-"
    return f"{before / after:.1f} x faster" if after <= before else f"{after / before:.1f} x slower"


def _environment_line(context: Mapping[str, Any]) -> str:
    """Whether other work shared the machine. The benchmark's own containers and forks load it far past
    its CPUs (the load column); only other containers, or a load already high before it started, are
    disturbance."""
    loads = [v for v in context.get("load", []) if v and v != "-"]
    others = context.get("others_running", 0)
    before = float(loads[0].split()[0]) if loads else 0.0
    if others or before > context["cpus"]:
        return (
            f"**Disturbed:** up to {others} other containers were running and the load average went through "
            f"{', '.join(loads)} on {context['cpus']} CPUs: every run is slower than on a quiet machine, "
            "later rows not necessarily more than earlier ones (the load column says what each run met)."
        )
    after = f", {loads[-1]} at its end" if len(loads) > 1 else ""
    return (
        f"Nothing else ran on the machine (load average {loads[0] if loads else '-'} before the benchmark"
        f"{after}). The load column is the benchmark's own work: the containers and Ansible's forks share "
        f"the {context['cpus']} CPUs."
    )


def findings(results: Sequence[Result], hosts: int) -> list[str]:
    """What the numbers say, in sentences: tuned against defaults, the forks curve, each setting alone,
    and the re-run time for 300 hosts at the same rate."""
    by_label = {r.case.label: r for r in results}
    lines: list[str] = []
    defaults, tuned = by_label.get("Ansible defaults"), by_label.get("medops ansible.cfg")
    if defaults and tuned:
        first = (
            f"first run {tuned.first.seconds:.1f} s against {defaults.first.seconds:.1f} s "
            f"({_ratio(defaults.first.seconds, tuned.first.seconds)}), "
            if defaults.first and tuned.first
            else ""
        )
        lines.append(
            f"- **medops ansible.cfg against Ansible's defaults:** {first}"
            f"no-op re-run {tuned.rerun.seconds:.1f} s against {defaults.rerun.seconds:.1f} s "
            f"({_ratio(defaults.rerun.seconds, tuned.rerun.seconds)})."
        )
    # The forks curve: re-runs with the medops ansible.cfg and nothing else changed but the forks.
    points = sorted(
        (r.case.settings.forks, r.rerun.seconds)
        for r in results
        if r.case.state == "tuned" and r.case.settings == Settings(forks=r.case.settings.forks)
    )
    if len(points) > 1:
        best_forks, best = min(points, key=lambda fs: fs[1])
        curve = ", ".join(f"{f} → {s:.1f} s" for f, s in points)
        lines.append(
            f"- **Forks** (no-op re-run, otherwise the medops ansible.cfg): {curve}. Fastest: {best_forks} "
            f"forks, {hosts / best:.1f} hosts a second."
        )
        enough = next((f for f, s in points if s <= best * 1.1), best_forks)
        if enough != best_forks:
            lines.append(
                f"  {enough} forks were already within 10 % of the fastest: more forks bought little more."
            )
        rate = hosts / best
        lines.append(
            f"- **At 300 hosts**, the same rate gives a no-op re-run of about {300 / rate:.0f} s "
            f"({300 / rate / 60:.1f} min) on this control node, if the time grows with the hosts as the "
            "control node's CPU work does (it does once forks no longer help)."
        )
    for changed in results:
        settings = changed.case.settings
        if changed.case.state != "tuned" or settings in (Settings(forks=settings.forks), DEFAULTS):
            continue
        same = next(
            (r for r in results if r.case.state == "tuned" and r.case.settings == Settings(settings.forks)),
            None,
        )
        if same is None:
            continue
        delta = (changed.rerun.seconds - same.rerun.seconds) / same.rerun.seconds * 100
        what = changed.case.label.split(",")[0]
        lines.append(
            f"- **{what}** at {settings.forks} forks: {changed.rerun.seconds:.1f} s against "
            f"{same.rerun.seconds:.1f} s with the medops ansible.cfg ({delta:+.0f} %)."
        )
    return lines


def section_text(results: Sequence[Result], context: Mapping[str, Any]) -> str:
    versions_text = ", ".join(f"{k} {v}" for k, v in context["versions"].items())
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `make bench-converge` on {context['when']}: {context['hosts']} light containers of "
            f"`{context['image']}` (`sleep infinity`, no systemd) on the Docker network `{NETWORK}`, reached "
            f"with `docker exec` from a {context['cpus']}-CPU machine that also runs them "
            f"(started in {context.get('start_seconds', '-')} s). The playbook is "
            "[scripts/medops/bench/converge.yml](../scripts/medops/bench/converge.yml): facts, then a "
            "directory, a template, a file, a line, a package query, a stat and a local fact per host, the "
            "shape of a baseline converge (the base role itself needs systemd). Every run uses the "
            "repository's ansible.cfg with the settings of its row (environment variables); the no-op "
            "re-run follows a run that converged the same hosts. The connection is named in full "
            "(`community.docker.docker`), which Mitogen leaves to stock Ansible as it leaves production's "
            "`ansible.builtin.ssh`: the rows without Mitogen are what production runs, and the Mitogen row "
            "names it `docker`, as the lab and molecule do. Versions: " + versions_text + ".",
            "",
            *_table(results),
            "",
            *findings(results, int(context["hosts"])),
            "",
            _environment_line(context),
            "",
        ]
    )


def lab_section_text(results: Sequence[Result], context: Mapping[str, Any]) -> str:
    versions_text = ", ".join(f"{k} {v}" for k, v in context["versions"].items())
    return "\n".join(
        [
            LAB_SECTION,
            "",
            f"Measured by `make bench-lab-converge LAB_REBUILD=yes` on {context['when']}: "
            "`playbooks/site.yml` "
            f"on the lab's {context['hosts']} systemd hosts (`docker exec`), each time on a freshly created "
            f"lab (first run) and again (no-op re-run), on a {context['cpus']}-CPU machine. The lab names "
            "its connection `docker`, so the medops ansible.cfg runs it through Mitogen, as `make lab` "
            "does; Ansible's defaults are stock Ansible. Versions: " + versions_text + ".",
            "",
            *_table(results),
            "",
            *findings(results, int(context["hosts"]))[:1],
            "",
            _environment_line(context),
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medops.bench.converge", description=__doc__)
    parser.add_argument("--hosts", type=int, default=100, help="light containers to start (default: 100)")
    parser.add_argument("--image", default=IMAGE, help=f"image (default: {IMAGE})")
    parser.add_argument("--forks", type=int, nargs="+", default=list(FORKS), help="forks to compare")
    parser.add_argument("--lab", action="store_true", help="time site.yml on the lab (rebuilds it twice)")
    parser.add_argument("--doc", metavar="FILE", help="write the results into this file's section")
    parser.add_argument("--json", metavar="FILE", help="also write the raw timings as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts must be between 1 and 250")
    try:
        if args.lab:
            results, context = measure_lab()
            text, heading = lab_section_text(results, context), LAB_SECTION
        else:
            results, context = measure_fleet(args.hosts, args.image, plan(args.hosts, args.forks))
            text, heading = section_text(results, context), SECTION
    except MedopsError as exc:
        print(f"bench-converge: {exc}", file=sys.stderr)
        return 2
    print(text)
    if args.doc:
        write_section(Path(args.doc), heading, text)
        print(f"wrote the section {heading[3:]!r} of {args.doc}")
    if args.json:
        raw = {"results": [asdict(r) for r in results], "context": dict(context)}
        Path(args.json).write_text(json.dumps(raw, indent=2), encoding="utf-8")
    failed = [r.case.label for r in results for t in (r.first, r.rerun) if t and (t.rc or t.ok < t.hosts)]
    if failed:
        print(f"bench-converge: runs with failed hosts: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
