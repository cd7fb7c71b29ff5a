#!/usr/bin/env bash
# Run molecule scenarios side by side (each has its own containers and network), at most
# MEDOPS_MOLECULE_JOBS at a time (default: all). Each scenario logs to .lab/molecule/<name>.log;
# the summary gives each one's time and result, and a failed scenario's log tail is printed.
# Usage: molecule-all.sh <scenario>...
set -uo pipefail
[ $# -gt 0 ] || { echo "molecule-all: name at least one scenario" >&2; exit 2; }
jobs_max=${MEDOPS_MOLECULE_JOBS:-$#}
logs=.lab/molecule
# ARA's callback folder, for the scenarios that record their runs (molecule/estate/molecule.yml).
if [ -z "${MEDOPS_ARA_CALLBACKS:-}" ]; then
  MEDOPS_ARA_CALLBACKS=$(python -m ara.setup.callback_plugins 2>/dev/null || true)
fi
export MEDOPS_ARA_CALLBACKS
mkdir -p "$logs"
# Scenarios leave measurements beside their logs (molecule/estate-patch-dr: the drill's headline figures); only
# this run's are printed.
rm -f "$logs"/*/headline.txt

declare -A pid_of
for scenario in "$@"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  echo "molecule: starting $scenario (log $logs/$scenario.log)"
  (
    start=$(date +%s)
    molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1
    rc=$?
    echo "molecule: $scenario $([ $rc -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
    exit $rc
  ) &
  pid_of[$scenario]=$!
done

failed=()
for scenario in "$@"; do
  wait "${pid_of[$scenario]}" || failed+=("$scenario")
done

for headline in "$logs"/*/headline.txt; do
  [ -f "$headline" ] || continue
  echo "===== measured: $headline ====="
  cat "$headline"
done

for scenario in "${failed[@]}"; do
  echo "===== last 200 lines of $logs/$scenario.log ====="
  tail -n 200 "$logs/$scenario.log"
done
[ ${#failed[@]} -eq 0 ]
