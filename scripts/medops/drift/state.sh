# medops host state: the collection script of `medops drift` and `medops inventory` (POSIX sh, as root).
#
# Sent over ONE connection per host like the weekly inspection's script, and in front of it: it uses
# collect.sh's helpers (section, have, s_meta, s_fact, s_certs) and collect.sh ends by calling the function
# named in MEDOPS_MAIN, here state_main. It only reads. No secret leaves the host: account passwords are
# reported as their status (passwd -S: P usable, L locked, NP none), never as hashes, and authorized keys as
# a count. Parsed by medops.drift.state.

state_main() {
    export LC_ALL=C
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    section meta s_meta
    section hardware s_hardware
    section disks s_disks
    section packages s_packages
    section listen s_listen
    section passwd getent passwd
    section pwstatus s_pwstatus
    section keys s_keys
    section groups getent group
    section sudoers s_sudoers
    section enabled s_enabled
    section services s_services
    section verify s_verify
    section fact s_fact
    section firewall s_firewall
    section certs s_certs
    section pgsettings s_pgsettings
    section done echo complete
}

s_hardware() {
    printf 'cpus=%s\n' "$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"
    printf 'cpu_model=%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    printf 'memory_kb=%s\n' "$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\).*/\1/p' /proc/meminfo)"
    printf 'virtualization=%s\n' "$(systemd-detect-virt 2>/dev/null || echo unknown)"
}

s_disks() {
    have lsblk || return 3
    lsblk -b -d -n -P -o NAME,SIZE,TYPE,MODEL 2>/dev/null
    return 0
}

# Every package dpkg knows, one per line, tab-separated: status, name, version, architecture, priority,
# essential, and the relations the baseline closure follows.
s_packages() {
    have dpkg-query || return 3
    dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${Priority}\t${Essential}\t${Pre-Depends}\t${Depends}\t${Recommends}\t${Provides}\n'
}

s_listen() {
    have ss || return 3
    ss -H -l -n -t -u -p 2>&1
}

s_pwstatus() {
    have passwd || return 3
    passwd -S -a 2>&1
}

# Users whose home holds authorized keys: "<user> <number of keys>".
s_keys() {
    getent passwd | while IFS=: read -r user _ _ _ _ home _; do
        file="$home/.ssh/authorized_keys"
        [ -f "$file" ] || continue
        printf '%s %s\n' "$user" "$(grep -c -E '^[[:space:]]*[^#[:space:]]' "$file")"
    done
    return 0
}

# The sudo rules, each line prefixed by its file (comments and blank lines left out).
s_sudoers() {
    for file in /etc/sudoers /etc/sudoers.d/*; do
        [ -f "$file" ] || continue
        grep -v -E '^[[:space:]]*(#[^i]|#$|$)' "$file" | sed "s|^|$file\t|"
    done
    return 0
}

# Enabled unit files, each with the file that defines it and the package that ships that file (if any).
s_enabled() {
    [ -d /run/systemd/system ] || return 3
    timeout 20 systemctl list-unit-files --no-legend --no-pager --state=enabled,enabled-runtime 2>/dev/null |
        while read -r unit state _; do
            path=-
            for dir in /etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system \
                /lib/systemd/system /usr/lib/systemd/system; do
                if [ -f "$dir/$unit" ]; then
                    path=$dir/$unit
                    break
                fi
            done
            owner=-
            if [ "$path" != - ]; then
                owner=$(dpkg-query -S "systemd/system/$unit" 2>/dev/null | sed -n 's/^\([^:,]*\)[:,].*/\1/p' | head -n 1)
                [ -n "$owner" ] || owner=-
            fi
            printf '%s\t%s\t%s\t%s\n' "$unit" "$state" "$path" "$owner"
        done
}

s_services() {
    [ -d /run/systemd/system ] || return 3
    timeout 20 systemctl list-units --type=service --all --no-legend --no-pager --plain 2>&1
}

# Files of installed packages that differ from what the package shipped (dpkg's md5sums).
s_verify() {
    have dpkg || return 3
    timeout 120 dpkg --verify 2>&1
    return 0
}

s_firewall() {
    have nft || return 3
    timeout 10 nft list ruleset 2>&1
}

# Settings of each running PostgreSQL cluster that differ from the built-in default (pg_settings holds no
# passwords): "<cluster>\t<name>\t<setting>\t<unit>\t<source>".
s_pgsettings() {
    have pg_lsclusters || return 3
    tab=$(printf '\t')
    pg_lsclusters -h 2>/dev/null | while read -r version cluster port status _; do
        case $status in online*) ;; *) continue ;; esac
        timeout 20 runuser -u postgres -- psql -XAtq -F "$tab" -p "$port" -d postgres \
            -c "SELECT '$version/$cluster', name, setting, coalesce(unit, ''), source FROM pg_settings
                WHERE source NOT IN ('default', 'override') ORDER BY name" </dev/null 2>&1
    done
}
