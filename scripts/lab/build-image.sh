#!/usr/bin/env bash
# Build one lab base image: Debian with systemd as PID 1, made with debootstrap and imported
# into the local Docker engine. No registry is needed.
#
#   build-image.sh RELEASE TAG RECIPE_HASH MIRROR
#
# RELEASE is the Debian major version (12 or 13). MIRROR is the Debian archive URL; the
# security archive is derived from it (".../debian" -> ".../debian-security").
# When HTTP_PROXY_FOR_BUILD is set, debootstrap fetches through it (the lab's apt cache).
set -euo pipefail

release=${1:?release (12 or 13)}
tag=${2:?image tag}
recipe=${3:?recipe hash}
mirror=${4:?Debian mirror URL}

case "$release" in
  12) codename=bookworm ;;
  13) codename=trixie ;;
  *) echo "build-image: unsupported Debian release '$release' (use 12 or 13)" >&2; exit 2 ;;
esac
security_mirror="${mirror%/}-security"

# Packages Ansible and the lab need before any role runs; everything else is a role's job.
packages=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,openssh-server,ca-certificates,iproute2,procps,gpg

work=$(mktemp -d /var/tmp/medops-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

echo "build-image: debootstrap Debian $release ($codename) into a scratch folder" >&2
if [ -n "${HTTP_PROXY_FOR_BUILD:-}" ]; then
  export http_proxy="$HTTP_PROXY_FOR_BUILD"
fi
debootstrap --variant=minbase --include="$packages" "$codename" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "build-image: debootstrap of Debian $release failed (see above)" >&2
  exit 1
}
unset http_proxy

# Sources: the release plus its updates and security suites, so Debian 12 has real pending
# security updates for the patching tests.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# Use the lab's apt cache when one answers on the Docker gateway, go direct otherwise: the
# image works with and without the cache.
install -d "$root/usr/local/lib/medops"
cat >"$root/usr/local/lib/medops/apt-proxy-detect" <<'DETECT'
#!/bin/bash
# Print the lab apt cache URL when it answers on the default gateway, DIRECT otherwise.
# Plain bash: the image's awk is mawk, which has no strtonum.
gw=""
while read -r _ dest hex _; do
  if [ "$dest" = 00000000 ]; then
    gw=$(printf '%d.%d.%d.%d' "0x${hex:6:2}" "0x${hex:4:2}" "0x${hex:2:2}" "0x${hex:0:2}")
    break
  fi
done < <(tail -n +2 /proc/net/route 2>/dev/null)
if [ -n "$gw" ] && timeout 1 bash -c "exec 3<>/dev/tcp/$gw/3142" 2>/dev/null; then
  echo "http://$gw:3142"
else
  echo DIRECT
fi
DETECT
chmod 0755 "$root/usr/local/lib/medops/apt-proxy-detect"
echo 'Acquire::http::Proxy-Auto-Detect "/usr/local/lib/medops/apt-proxy-detect";' \
  >"$root/etc/apt/apt.conf.d/01medops-lab-proxy"
# Minimal images: no recommends, as on the servers.
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
  >"$root/etc/apt/apt.conf.d/02medops-no-recommends"

# Every container gets its own identity: machine-id and SSH host keys are made at first boot.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname"
rm -f "$root"/etc/ssh/ssh_host_*
cat >"$root/etc/systemd/system/medops-ssh-hostkeys.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys on first boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/medops-ssh-hostkeys.service \
  "$root/etc/systemd/system/multi-user.target.wants/medops-ssh-hostkeys.service"

# Units that have nothing to do in a container (no consoles, no kernel modules, no udev).
for unit in getty@tty1.service console-getty.service systemd-udevd.service \
  systemd-udevd-kernel.socket systemd-udevd-control.socket systemd-modules-load.service \
  sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  systemd-remount-fs.service systemd-firstboot.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done

chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/cache/apt/*.bin
# Package lists are gone: date the folder in the past so apt (and Ansible's cache_valid_time)
# sees them as stale and fetches fresh ones on first use.
touch -d 2000-01-01 "$root/var/lib/apt/lists"

echo "build-image: importing as $tag" >&2
tar --numeric-owner -C "$root" -c . | docker import \
  --change 'CMD ["/lib/systemd/systemd"]' \
  --change 'ENV container=docker' \
  --change "LABEL medops.recipe=$recipe" \
  --change "LABEL medops.debian=$release" \
  - "$tag" >/dev/null
echo "build-image: $tag ready" >&2
