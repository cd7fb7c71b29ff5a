"""The benchmarks' pure parts: the converge plan, Ansible's environment per setting, the recap parser, the
findings and the document's sections (the containers themselves are `make bench-converge`'s)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medops.bench.converge import (
    DEFAULTS,
    LAB_SECTION,
    LAB_TUNED,
    PLAYBOOK,
    SECTION,
    TUNED,
    Case,
    Result,
    Settings,
    Timed,
    findings,
    lab_section_text,
    parse_recap,
    plan,
    section_text,
)
from medops.bench.fleet import Fleet, write_section

RECAP_OUTPUT = """
TASK [Record a local fact] *****************************************************
ok: [medops-bench-001]

PLAY RECAP *********************************************************************
medops-bench-001           : ok=9    changed=0    unreachable=0    failed=0    skipped=0
medops-bench-002           : ok=8    changed=3    unreachable=0    failed=1    skipped=0
medops-bench-003           : ok=0    changed=0    unreachable=1    failed=0    skipped=0

MEDOPS SUMMARY *****************************************************************
converge.yml: 3 hosts, 3 changed tasks, 2 hosts failed, 0m41s
"""


def test_parse_recap_reads_every_host() -> None:
    recap = parse_recap(RECAP_OUTPUT)
    assert set(recap) == {"medops-bench-001", "medops-bench-002", "medops-bench-003"}
    assert recap["medops-bench-002"].changed == 3
    assert recap["medops-bench-002"].failed == 1
    assert recap["medops-bench-003"].unreachable == 1


def test_parse_recap_without_a_recap_is_empty() -> None:
    assert parse_recap("ERROR! the playbook could not be found") == {}


def test_settings_env_defaults_and_tuned(tmp_path: Path) -> None:
    defaults = DEFAULTS.env(tmp_path)
    assert defaults["ANSIBLE_FORKS"] == "5"
    assert defaults["ANSIBLE_PIPELINING"] == "False"
    assert defaults["ANSIBLE_GATHERING"] == "implicit"
    assert defaults["ANSIBLE_CACHE_PLUGIN"] == "ansible.builtin.memory"
    tuned = TUNED.env(tmp_path)
    assert tuned["ANSIBLE_FORKS"] == "20"
    assert tuned["ANSIBLE_PIPELINING"] == "True"
    assert tuned["ANSIBLE_GATHERING"] == "smart"
    assert tuned["ANSIBLE_CACHE_PLUGIN_CONNECTION"] == str(tmp_path)
    # ansible.cfg's strategy: stock Ansible on a connection Mitogen leaves alone, as production runs.
    assert tuned["ANSIBLE_STRATEGY"] == "mitogen_linear"
    assert TUNED.connection == "community.docker.docker"
    assert defaults["ANSIBLE_STRATEGY"] == "linear"
    assert LAB_TUNED.env(tmp_path)["ANSIBLE_STRATEGY"] == "mitogen_linear"
    assert LAB_TUNED.connection == "docker"


def test_settings_refuse_mitogen_with_another_strategy() -> None:
    with pytest.raises(ValueError, match="needs the strategy mitogen_linear, not 'free'"):
        Settings(forks=20, strategy="free", mitogen=True)


def test_tuned_is_what_ansible_cfg_says(root: Path) -> None:
    """The "medops ansible.cfg" row must be the repository's ansible.cfg, not a guess at it."""
    text = (root / "ansible.cfg").read_text(encoding="utf-8")
    assert f"forks = {TUNED.forks}\n" in text
    assert "pipelining = True" in text
    assert "gathering = smart" in text
    assert "fact_caching = jsonfile" in text
    assert "strategy = mitogen_linear\n" in text


def test_plan_changes_one_setting_at_a_time() -> None:
    cases = plan(100)
    labels = [c.label for c in cases]
    assert labels[:2] == ["medops ansible.cfg", "Ansible defaults"]
    # Only the medops ansible.cfg case converges (first run); every other case re-runs on its hosts.
    assert [c.label for c in cases if c.first] == ["medops ansible.cfg"]
    assert {c.state for c in cases} == {"tuned"}
    assert cases[1].settings == DEFAULTS
    assert [c.settings.forks for c in cases if c.settings == Settings(forks=c.settings.forks)] == [
        20,
        5,
        50,
        100,
    ]
    for case in cases[2:]:
        assert case.state == "tuned" and not case.first
        differences = [
            case.settings.strategy != TUNED.strategy,
            case.settings.mitogen,
            not case.settings.pipelining,
            not case.settings.fact_cache,
        ]
        assert sum(differences) <= 1
    assert {c.settings.forks for c in cases if c.settings.strategy == "free"} == {50}
    assert {c.settings.forks for c in cases if c.settings.mitogen} == {50}
    assert {c.settings.forks for c in cases if c.settings.strategy == "linear"} == {5, 50}


def test_plan_for_a_small_fleet_stays_within_its_hosts() -> None:
    cases = plan(30)
    assert max(c.settings.forks for c in cases) <= 30
    assert {c.settings.forks for c in cases[2:]} == {5, 20}


def _timed(seconds: float, changed: int = 0, hosts: int = 100) -> Timed:
    return Timed(seconds=seconds, hosts=hosts, ok=hosts, changed=changed, load="1.50", rc=0)


@pytest.fixture
def results() -> list[Result]:
    return [
        Result(Case("Ansible defaults", DEFAULTS, "defaults", True), _timed(400.0, 100), _timed(300.0)),
        Result(Case("medops ansible.cfg", TUNED, "tuned", True), _timed(120.0, 100), _timed(60.0)),
        Result(Case("medops ansible.cfg, forks 5", Settings(forks=5), "tuned"), None, _timed(150.0)),
        Result(Case("medops ansible.cfg, forks 50", Settings(forks=50), "tuned"), None, _timed(50.0)),
        Result(Case("medops ansible.cfg, forks 100", Settings(forks=100), "tuned"), None, _timed(48.0)),
        Result(Case("strategy free, forks 50", Settings(50, strategy="free"), "tuned"), None, _timed(45.0)),
        Result(Case("Mitogen, forks 50", Settings(50, mitogen=True), "tuned"), None, _timed(20.0)),
        Result(
            Case("pipelining off, forks 50", Settings(50, pipelining=False), "tuned"), None, _timed(100.0)
        ),
        Result(Case("fact cache off, forks 50", Settings(50, fact_cache=False), "tuned"), None, _timed(75.0)),
    ]


def test_findings_compare_and_extrapolate(results: list[Result]) -> None:
    text = "\n".join(findings(results, 100))
    assert "first run 120.0 s against 400.0 s (3.3 x faster)" in text
    assert "no-op re-run 60.0 s against 300.0 s (5.0 x faster)" in text
    assert "5 → 150.0 s, 20 → 60.0 s, 50 → 50.0 s, 100 → 48.0 s" in text
    assert "Fastest: 100 forks" in text
    assert "50 forks were already within 10 % of the fastest" in text
    # 100 hosts in 48 s: 300 hosts in 144 s.
    assert "about 144 s (2.4 min)" in text
    assert (
        "**pipelining off** at 50 forks: 100.0 s against 50.0 s with the medops ansible.cfg (+100 %)" in text
    )
    assert "**fact cache off** at 50 forks: 75.0 s against 50.0 s" in text
    assert "**strategy free** at 50 forks: 45.0 s against 50.0 s with the medops ansible.cfg (-10 %)" in text
    assert "**Mitogen** at 50 forks: 20.0 s against 50.0 s with the medops ansible.cfg (-60 %)" in text


def test_section_text_has_the_table_and_the_machine(results: list[Result]) -> None:
    context = {
        "hosts": 100,
        "cpus": 2,
        "image": "medops/debian-systemd:12",
        "when": "2026-11-22 18:00 UTC",
        "start_seconds": 20.5,
        "others_running": 0,
        "load": ["0.50 0.40 0.30", "1.20 0.80 0.50"],
        "versions": {"medops": "0.1.0", "ansible-core": "2.19.14"},
    }
    text = section_text(results, context)
    assert text.startswith(SECTION + "\n")
    assert (
        "| Ansible defaults | 5 | linear | off | off | off | 400.0 s | 300.0 s | 0 of 100 | 1.50 / 1.50 |"
        in text
    )
    assert "| strategy free, forks 50 | 50 | free | off | on | on | - | 45.0 s | 0 of 100 | 1.50 |" in text
    assert "| Mitogen, forks 50 | 50 | mitogen_linear | on | on | on | - | 20.0 s | 0 of 100 | 1.50 |" in text
    assert "`community.docker.docker`" in text
    assert "Nothing else ran on the machine (load average 0.50 0.40 0.30 before the benchmark" in text
    # Its own load, far past the CPUs, is not disturbance; a load already high before it started is.
    own = section_text(results, {**context, "load": ["0.18 0.87 0.89", "51.49 55.12 46.18"]})
    assert "Nothing else ran" in own and "Disturbed" not in own
    loaded = section_text(results, {**context, "load": ["7.10 6.00 5.00", "51.49 55.12 46.18"]})
    assert "**Disturbed:** up to 0 other containers" in loaded
    busy = section_text(results, {**context, "others_running": 3})
    assert "**Disturbed:** up to 3 other containers" in busy
    lab = lab_section_text(results[:2], {**context, "hosts": 7})
    assert lab.startswith(LAB_SECTION + "\n")
    assert "make bench-lab-converge LAB_REBUILD=yes" in lab


def test_failed_hosts_show_in_the_table(results: list[Result]) -> None:
    results[1].rerun.ok = 97
    text = section_text(
        results,
        {"hosts": 100, "cpus": 2, "image": "i", "when": "w", "load": ["0.1 0.1 0.1"], "versions": {}},
    )
    assert "60.0 s (3 failed)" in text


def test_write_section_replaces_only_its_own(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nIntro.\n\n## Inspection\n\nold inspection\n\n## Other\n\nkept\n")
    write_section(doc, "## Inspection", "## Inspection\n\nnew inspection\n")
    write_section(doc, SECTION, f"{SECTION}\n\nfirst\n")
    write_section(doc, SECTION, f"{SECTION}\n\nsecond\n")
    assert doc.read_text() == (
        "# Performance\n\nIntro.\n\n## Inspection\n\nnew inspection\n\n## Other\n\nkept\n\n"
        f"{SECTION}\n\nsecond\n"
    )


def test_fleet_names_are_numbered_and_prefixed() -> None:
    fleet = Fleet(label="medops.bench=converge", prefix="medops-bench-", network="medops-bench")
    assert fleet.names(3) == ["medops-bench-001", "medops-bench-002", "medops-bench-003"]
    assert Fleet(label="x=y", prefix="inspect-bench-", width=2).names(1) == ["inspect-bench-01"]


def test_bench_playbook_is_idempotent_by_construction() -> None:
    """Every task of the benchmark's playbook either only reads or says what it sets (no bare command)."""
    plays = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    tasks = plays[0]["tasks"]
    for task in tasks:
        if "ansible.builtin.command" in task:
            assert task["changed_when"] is False
    assert plays[0]["gather_facts"] is True
    assert (PLAYBOOK.parent / "templates" / "bench.conf.j2").is_file()


def test_slower_is_said_as_slower(results: list[Result]) -> None:
    results[1].first = _timed(440.0, 100)
    assert "first run 440.0 s against 400.0 s (1.1 x slower)" in "\n".join(findings(results, 100))


def test_defaults_without_a_first_run_compare_re_runs(results: list[Result]) -> None:
    results[0] = Result(Case("Ansible defaults", DEFAULTS, "tuned"), None, _timed(300.0))
    text = "\n".join(findings(results, 100))
    assert "against Ansible's defaults:** no-op re-run 60.0 s against 300.0 s (5.0 x faster)" in text
    # The defaults row is not read as "one setting changed" nor as a point of the forks curve.
    assert "5 → 150.0 s, 20 → 60.0 s" in text
    assert text.count("with the medops ansible.cfg (") == 4
