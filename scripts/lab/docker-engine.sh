#!/usr/bin/env bash
# Make a Docker engine answer on this machine, for the lab and the molecule scenarios, and make
# sure debootstrap is there to build the lab's base images.
#
# - An engine that already answers is used as it is (nothing is changed).
# - Otherwise Debian's docker.io is installed if dockerd is missing, and dockerd is started:
#   through systemd when systemd is PID 1, by hand (in the background, logging to
#   /var/log/medops-dockerd.log) when no init system manages services.
# Needs root for the install and the start.
set -euo pipefail

log=/var/log/medops-dockerd.log

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

missing=()
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io iptables)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "docker-engine: ${missing[*]} missing and installing needs root" >&2
    exit 1
  fi
  echo "docker-engine: installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if answers; then
  echo "docker-engine: engine answers (server $(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "docker-engine: no Docker engine answers and installing/starting one needs root" >&2
  exit 1
fi

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  systemctl start docker
else
  echo "docker-engine: starting dockerd by hand (no init system manages services here); log in $log"
  nohup dockerd >>"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if answers; then
    echo "docker-engine: engine answers (server $(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "docker-engine: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2 || true
exit 1
