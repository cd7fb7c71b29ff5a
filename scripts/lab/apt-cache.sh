#!/usr/bin/env bash
# Make the lab's APT cache answer on this machine: Debian's apt-cacher-ng on port 3142.
#
# The lab and molecule images ask for it on their Docker gateway before every APT download
# (/usr/local/lib/medops/apt-proxy-detect, written by build-image.sh) and go direct when nothing
# answers: the cache only saves downloads, a host never depends on it. With it, the packages
# that several scenarios install side by side (PostgreSQL, pgBackRest, nginx, the security
# updates of the patching tests) are fetched from the Debian mirror once per machine.
#
# - A cache that already answers is used as it is.
# - Otherwise apt-cacher-ng is installed when missing and started: through systemd when systemd
#   is PID 1, by its init script otherwise (no init system manages services on a CI machine).
# MIRROR is the Debian archive the lab images use (`make images` passes it): requests for Debian's
# archive are fetched from it, not from the mirror list apt-cacher-ng ships (which may not be
# reachable from here). Other URLs (the security archive) are fetched as asked and cached too.
# MEDOPS_APT_CACHE=off skips it (the images then download directly). Needs root to install/start.
#
#   apt-cache.sh MIRROR
set -euo pipefail

mirror=${1:?Debian mirror URL (e.g. http://deb.debian.org/debian)}
port=3142
conf=/etc/apt-cacher-ng

if [ "${MEDOPS_APT_CACHE:-on}" = off ]; then
  echo "apt-cache: off (MEDOPS_APT_CACHE=off); lab hosts download from the Debian mirror directly"
  exit 0
fi

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; }

# The backends the Debian remaps fetch from: this machine's mirror. Written only when different;
# without the package's marker line, a package upgrade keeps them.
backends() {
  local file=$1 url=$2 text
  text="# Written by medops (scripts/lab/apt-cache.sh): the lab's Debian mirror.
${url%/}/"
  if [ "$(cat "$file" 2>/dev/null)" != "$text" ]; then
    printf '%s\n' "$text" >"$file"
    return 0
  fi
  return 1
}

if answers && [ "$(id -u)" -ne 0 ]; then
  echo "apt-cache: answers on port $port"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "apt-cache: nothing answers on port $port and starting apt-cacher-ng needs root; lab hosts download directly" >&2
  exit 0
fi

if ! command -v apt-cacher-ng >/dev/null 2>&1 && [ ! -x /usr/sbin/apt-cacher-ng ]; then
  echo "apt-cache: installing Debian's apt-cacher-ng"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends apt-cacher-ng >/dev/null 2>&1 || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends apt-cacher-ng >/dev/null
  }
fi

changed=0
backends "$conf/backends_debian" "$mirror" && changed=1
if answers; then
  if [ $changed -eq 0 ]; then
    echo "apt-cache: answers on port $port"
    exit 0
  fi
  echo "apt-cache: mirror changed, restarting apt-cacher-ng"
  if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then systemctl stop apt-cacher-ng; else /etc/init.d/apt-cacher-ng stop >/dev/null; fi
fi

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  systemctl start apt-cacher-ng
else
  echo "apt-cache: starting apt-cacher-ng by its init script (no init system manages services here)"
  /etc/init.d/apt-cacher-ng start >/dev/null
fi

for _ in $(seq 1 20); do
  if answers; then
    echo "apt-cache: answers on port $port (cache in /var/cache/apt-cacher-ng)"
    exit 0
  fi
  sleep 0.5
done
echo "apt-cache: apt-cacher-ng did not answer on port $port; lab hosts download directly" >&2
exit 0
