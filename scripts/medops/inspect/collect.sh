# medops weekly inspection: the collection script (POSIX sh, run as root on the inspected host).
#
# `medops inspect` sends this script over ONE connection per host (`docker exec -i <host> sh -s`, or
# `ssh <host> sudo -n sh -s`), after four variable assignments it writes itself:
#   MEDOPS_NONCE  a random word that marks the sections (so no command output can fake a marker)
#   MEDOPS_SINCE  epoch of the previous inspection of this host (journal errors are counted since then)
#   MEDOPS_HOST   the host's inventory name (the Host header of the health check through nginx)
#   MEDOPS_UNITS  extra systemd units to report on (inventory: inspection_services)
#   MEDOPS_CERTS  extra certificate files to check (inventory: inspection_certificates)
#
# It only reads: no file is written, no service touched, no package list fetched. Each section prints
#   ==MEDOPS <nonce> begin <name>
#   ... the command's own output ...
#   ==MEDOPS <nonce> end <name> <exit status>
# and medops.inspect.parse turns each section into data. Exit status 3 means "not on this host" (the
# component is not installed); a section's commands are bounded by `timeout`, so one stuck command cannot
# hold the whole inspection.
#
# Everything runs inside main(), called with stdin from /dev/null: the shell reads the whole script
# before anything runs, and no command can swallow the rest of it from stdin.

main() {
    export LC_ALL=C
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    section meta s_meta
    section cpu s_cpu
    section meminfo grep -E '^(MemTotal|MemAvailable|SwapTotal|SwapFree):' /proc/meminfo
    section uptime cat /proc/uptime
    section df s_df -PT -B1
    section dfi s_df -PTi
    section mounts cat /proc/self/mounts
    section fact s_fact
    section systemd s_systemd
    section failed s_failed
    section units s_units
    section chrony s_chrony
    section reboot s_reboot
    section apt s_apt
    section aptlists s_aptlists
    section journal s_journal
    section certs s_certs
    section postgresql s_postgresql
    section pgbackrest s_pgbackrest
    section health s_health
}

section() {
    name=$1
    shift
    printf '==MEDOPS %s begin %s\n' "$MEDOPS_NONCE" "$name"
    "$@"
    rc=$?
    # A section's output may lack its last newline; the end marker must start a line.
    printf '\n==MEDOPS %s end %s %s\n' "$MEDOPS_NONCE" "$name" "$rc"
}

have() {
    command -v "$1" >/dev/null 2>&1
}

s_meta() {
    printf 'now=%s\n' "$(date +%s)"
    printf 'hostname=%s\n' "$(hostname 2>/dev/null || cat /etc/hostname)"
    printf 'uid=%s\n' "$(id -u)"
    printf 'kernel=%s\n' "$(uname -r)"
    if [ -r /etc/os-release ]; then
        # shellcheck disable=SC1091
        (. /etc/os-release && printf 'os_id=%s\nos_version=%s\nos_pretty=%s\n' "$ID" "$VERSION_ID" "$PRETTY_NAME")
    fi
    printf 'curl=%s\n' "$(have curl && echo yes || echo no)"
}

s_cpu() {
    getconf _NPROCESSORS_ONLN 2>/dev/null || nproc
    cat /proc/loadavg
}

# df for directories only: containers bind-mount single files (/etc/hosts) that are not file systems.
s_df() {
    df "$@" 2>/dev/null | while read -r source fstype total used free ratio mountpoint; do
        if [ "$source" = Filesystem ] || [ -d "$mountpoint" ]; then
            printf '%s %s %s %s %s %s %s\n' "$source" "$fstype" "$total" "$used" "$free" "$ratio" "$mountpoint"
        fi
    done
}

s_fact() {
    [ -r /etc/ansible/facts.d/medops.fact ] || return 3
    cat /etc/ansible/facts.d/medops.fact
}

s_systemd() {
    [ -d /run/systemd/system ] || { echo "not booted with systemd"; return 3; }
    systemctl is-system-running 2>&1
    return 0
}

s_failed() {
    [ -d /run/systemd/system ] || return 3
    timeout 10 systemctl list-units --failed --all --plain --no-legend --no-pager 2>&1
}

# The units the host's roles may have installed (which of them are declared is decided from the local
# fact by medops.inspect.evaluate): the baseline's, nginx, every PostgreSQL cluster, every unit file
# medops roles write under /etc/systemd/system, and those the inventory adds.
s_units() {
    [ -d /run/systemd/system ] || return 3
    set -- chrony.service ssh.service nftables.service nginx.service
    for conf in /etc/postgresql/*/*/postgresql.conf; do
        [ -f "$conf" ] || continue
        dir=${conf%/postgresql.conf}
        cluster=${dir##*/}
        version=${dir%/*}
        version=${version##*/}
        set -- "$@" "postgresql@$version-$cluster.service"
    done
    for file in /etc/systemd/system/*.service /etc/systemd/system/*.timer; do
        [ -f "$file" ] && set -- "$@" "${file##*/}"
    done
    for unit in $MEDOPS_UNITS; do
        set -- "$@" "$unit"
    done
    timeout 10 systemctl show --timestamp=unix \
        -p Id,LoadState,ActiveState,SubState,UnitFileState,Result,ExecMainStatus,ExecMainExitTimestamp \
        -- "$@" 2>&1
}

s_chrony() {
    have chronyc || return 3
    timeout 5 chronyc -n tracking 2>&1
}

s_reboot() {
    [ -e /run/reboot-required ] || return 0
    echo "required"
    [ -r /run/reboot-required.pkgs ] && sort -u /run/reboot-required.pkgs
    return 0
}

# What `apt-get dist-upgrade` would install, from the package lists as they are (nothing is fetched or
# locked), as `apt-get -s dist-upgrade` prints it: "Inst <package> [<installed>] (<candidate> <origin>
# [<arch>])". python3-apt (present wherever Ansible's apt module ran) computes the same list for a third
# of the CPU; without it, apt-get simulates (Debug::NoLocking: it never competes with a running apt).
s_apt() {
    have apt-get || return 3
    if have python3; then
        timeout 60 python3 - <<'PYTHON'
import sys

try:
    import apt_pkg
except ImportError:
    sys.exit(4)
try:
    apt_pkg.init()
    cache = apt_pkg.Cache(None)
    depcache = apt_pkg.DepCache(cache)
    depcache.upgrade(True)  # True: dist-upgrade, new packages allowed
    for package in cache.packages:
        if not (depcache.marked_install(package) or depcache.marked_upgrade(package)):
            continue
        candidate = depcache.get_candidate_ver(package)
        files = [f for f, _ in candidate.file_list if f.archive != "now"]
        origin = f"{files[0].label}:{files[0].version}/{files[0].archive}" if files else "-"
        installed = f" [{package.current_ver.ver_str}]" if package.current_ver else ""
        print(f"Inst {package.name}{installed} ({candidate.ver_str} {origin} [{candidate.arch}])")
except (SystemError, apt_pkg.Error) as error:
    print(f"E: {error}")
    sys.exit(100)
PYTHON
        rc=$?
        [ "$rc" -ne 4 ] && return $rc
    fi
    out=$(timeout 60 apt-get -s -q -o Debug::NoLocking=1 dist-upgrade 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^(Inst |E: |W: )'
    return $rc
}

s_aptlists() {
    for list in /var/lib/apt/lists/*Release; do
        [ -f "$list" ] && stat -c '%Y %n' "$list"
    done
    return 0
}

# Errors (priority 0-3) in the journal since the previous inspection: the count, and the count per
# syslog identifier.
s_journal() {
    have journalctl || return 3
    [ -S /run/systemd/journal/socket ] || { echo "no journald on this host"; return 3; }
    timeout 30 journalctl -q --no-pager -p err --since "@${MEDOPS_SINCE}" -o json \
        --output-fields=SYSLOG_IDENTIFIER,_SYSTEMD_UNIT 2>/dev/null | awk '
        {
            n++
            id = "-"
            if (match($0, /"SYSLOG_IDENTIFIER":"[^"]*"/)) id = substr($0, RSTART + 21, RLENGTH - 22)
            else if (match($0, /"_SYSTEMD_UNIT":"[^"]*"/)) id = substr($0, RSTART + 17, RLENGTH - 18)
            count[id]++
        }
        END { printf "total %d\n", n; for (id in count) printf "%d %s\n", count[id], id }'
}

# Certificates medops roles install, each certificate of a chain on its own: nginx's served chain,
# PostgreSQL's server certificate, pgBackRest's host and CA certificates, and any the inventory adds.
s_certs() {
    have openssl || return 3
    for file in /etc/nginx/medops-tls/*.crt /etc/postgresql/*/*/tls/server.crt \
        /etc/pgbackrest/tls/host.crt /etc/pgbackrest/tls/ca.crt $MEDOPS_CERTS; do
        case $file in *.leaf.crt) continue ;; esac
        [ -f "$file" ] || continue
        count=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$file")
        if [ "$count" -eq 0 ]; then
            printf 'file=%s\nindex=1\nerror=no PEM certificate in the file\n' "$file"
            continue
        fi
        index=1
        while [ "$index" -le "$count" ]; do
            printf 'file=%s\nindex=%s\n' "$file" "$index"
            awk -v n="$index" '/-----BEGIN CERTIFICATE-----/ { c++ } c == n { print } /-----END CERTIFICATE-----/ && c == n { exit }' "$file" |
                openssl x509 -noout -subject -enddate -nameopt RFC2253 2>&1 | sed 's/^/  /'
            index=$((index + 1))
        done
    done
    return 0
}

# Every PostgreSQL cluster of the host (pg_lsclusters), and for each one that runs: does it accept
# connections, how many of max_connections are used, database sizes, the WAL archiver, the oldest
# open transactions. Output lines are tab-separated and start with the cluster (15/main).
s_postgresql() {
    have pg_lsclusters || return 3
    tab=$(printf '\t')
    pg_lsclusters -h 2>&1 | while read -r version cluster port status _; do
        id="$version/$cluster"
        printf 'cluster%s%s%s%s%s%s\n' "$tab" "$id" "$tab" "$port" "$tab" "$status"
        timeout 10 pg_isready -q -p "$port" >/dev/null 2>&1
        printf 'isready%s%s%s%s\n' "$tab" "$id" "$tab" "$?"
        case $status in online*) ;; *) continue ;; esac
        timeout 20 runuser -u postgres -- psql -XAtq -F "$tab" -p "$port" -d postgres -v ON_ERROR_STOP=1 \
            -c "SELECT 'now', '$id', extract(epoch FROM now())::bigint, current_setting('server_version')" \
            -c "SELECT 'connections', '$id', count(*), current_setting('max_connections'),
                       current_setting('superuser_reserved_connections')
                FROM pg_stat_activity WHERE backend_type = 'client backend'" \
            -c "SELECT 'database', '$id', datname, pg_database_size(oid)
                FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname" \
            -c "SELECT 'archiver', '$id', current_setting('archive_mode'), archived_count,
                       coalesce(last_archived_wal, ''), coalesce(extract(epoch FROM last_archived_time)::bigint::text, ''),
                       failed_count, coalesce(last_failed_wal, ''),
                       coalesce(extract(epoch FROM last_failed_time)::bigint::text, ''),
                       coalesce(extract(epoch FROM stats_reset)::bigint::text, '')
                FROM pg_stat_archiver" \
            -c "SELECT 'transaction', '$id', pid, coalesce(usename, ''), coalesce(datname, ''), coalesce(state, ''),
                       extract(epoch FROM now() - xact_start)::bigint
                FROM pg_stat_activity
                WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                ORDER BY xact_start LIMIT 5" </dev/null 2>&1
    done
}

# pgBackRest's view of the repository, on the repository host only (its own user reads the repository;
# database hosts would ask the repository host over the network for the same answer).
s_pgbackrest() {
    have pgbackrest || return 3
    id pgbackrest >/dev/null 2>&1 || return 3
    [ -d /etc/pgbackrest ] || return 3
    timeout 60 runuser -u pgbackrest -- pgbackrest --output=json info 2>&1
}

# The application's health check through nginx, as a client sees it (TLS, the host's own name).
s_health() {
    ls /etc/nginx/sites-enabled/medops-* >/dev/null 2>&1 || return 3
    if have curl; then
        echo "tool=curl"
        timeout 15 curl -sk --max-time 10 -H "Host: $MEDOPS_HOST" -w '\n@@code=%{http_code}\n' \
            https://127.0.0.1/healthz 2>&1
        echo "@@rc=$?"
        return 0
    fi
    have python3 || { echo "tool=none"; return 0; }
    echo "tool=python3"
    timeout 15 python3 - "$MEDOPS_HOST" <<'PYTHON'
import ssl
import sys
import urllib.error
import urllib.request

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the health check, not the certificate: that is checked apart
request = urllib.request.Request("https://127.0.0.1/healthz", headers={"Host": sys.argv[1]})
try:
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        print(response.read().decode("utf-8", "replace"))
        print(f"@@code={response.status}")
        print("@@rc=0")
except urllib.error.HTTPError as error:
    print(error.read().decode("utf-8", "replace"))
    print(f"@@code={error.code}")
    print("@@rc=0")
except (OSError, ValueError) as error:
    print(error)
    print("@@code=000")
    print("@@rc=7")
PYTHON
}

# The entry point: main (the inspection), or the function MEDOPS_MAIN names (medops drift's state_main).
"${MEDOPS_MAIN:-main}" </dev/null
