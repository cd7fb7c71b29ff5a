"""The weekly inspection's labels (`insp.*`), in English and Simplified Chinese; medops.report.labels merges
them into its two dictionaries, and its rules apply (same keys and parameters in both, full-width Chinese
punctuation).

Keys: `insp.check.<id>` names a check, `insp.m.*` words a measured value, `insp.t.*` a threshold, `insp.r.*`
a recommendation, `insp.limit.<name>` what an inventory limit measures, `insp.ui.*` the report's own words.
"""

# ruff: noqa: RUF001

from __future__ import annotations

EN: dict[str, str] = {
    "insp.title": "Weekly inspection",
    "insp.subtitle": "{environment} estate, week {week}",
    "insp.status.unreachable": "Unreachable",
    # Checks
    "insp.check.reachable": "Host reachable",
    "insp.check.collection": "Data collection",
    "insp.check.fact": "medops local fact",
    "insp.check.uptime": "Uptime",
    "insp.check.load": "CPU load",
    "insp.check.memory": "Memory use",
    "insp.check.swap": "Swap use",
    "insp.check.disk": "Disk use",
    "insp.check.inodes": "Inode use",
    "insp.check.disk_forecast": "Days until full",
    "insp.check.systemd": "systemd state",
    "insp.check.failed_units": "Failed units",
    "insp.check.service": "Declared service",
    "insp.check.time_sync": "Time synchronisation",
    "insp.check.reboot": "Reboot required",
    "insp.check.package_lists": "Package lists",
    "insp.check.security_updates": "Pending security updates",
    "insp.check.pending_updates": "Pending updates",
    "insp.check.last_patch": "Days since last patch",
    "insp.check.certificate": "TLS certificate",
    "insp.check.journal_errors": "Journal errors",
    "insp.check.pg_accepting": "PostgreSQL accepts connections",
    "insp.check.pg_connections": "PostgreSQL connections",
    "insp.check.pg_databases": "Database sizes",
    "insp.check.pg_archiver": "WAL archiving",
    "insp.check.pg_transactions": "Long-running transactions",
    "insp.check.backup_stanza": "pgBackRest stanza",
    "insp.check.backup_full": "Newest full backup",
    "insp.check.backup_diff": "Newest differential backup",
    "insp.check.backup_incr": "Newest incremental backup",
    "insp.check.backup_verify": "Last pgBackRest verify",
    "insp.check.restore_test": "Last restore test",
    "insp.check.app_health": "Application health check",
    "insp.check.app_version": "Version deployed",
    # Measured values
    "insp.m.unreachable": "not reached: {error}",
    "insp.m.answered": "answered in {seconds} s over {connection}",
    "insp.m.problem": "incomplete: {problem}",
    "insp.m.fact_missing": "no /etc/ansible/facts.d/medops.fact: medops never converged this host",
    "insp.m.fact_bad": "/etc/ansible/facts.d/medops.fact cannot be read: {problem}",
    "insp.m.fact_roles": "roles applied: {roles}",
    "insp.m.uptime": "up {uptime_seconds}, since {boot}",
    "insp.m.uptime_rebooted": "up {uptime_seconds}, since {boot}: restarted since the previous inspection",
    "insp.m.load": "load {load1} / {load5} / {load15} on {cpus} CPU(s): {per_cpu} per CPU over 15 minutes",
    "insp.m.used_of": "{percent} used ({used_bytes} of {total_bytes})",
    "insp.m.swap_none": "no swap on this host",
    "insp.m.disk": "{percent} used ({used_bytes} of {total_bytes}, {free_bytes} free)",
    "insp.m.readonly": "mounted read-only, {percent} used: cannot fill up, not judged",
    "insp.m.inodes": "{percent} of {total} inodes used",
    "insp.m.forecast": "full in {days_seconds} at {growth_bytes} a week (trend over {points} inspections)",
    "insp.m.forecast_flat": "not growing over {points} inspections ({growth_bytes} a week)",
    "insp.m.forecast_short": "not enough data: {points} inspection(s), at least 2 needed",
    "insp.m.systemd": "systemd reports {state}",
    "insp.m.failed_units": "{count}: {units}",
    "insp.m.none": "none",
    "insp.m.service_missing": "not installed: systemd has no such unit",
    "insp.m.service_state": "{active} ({sub}), unit file {unit_file}",
    "insp.m.not_installed": "{component} is not installed",
    "insp.m.not_deployed": "skipped: {component} is not deployed on this host",
    "insp.m.time_sync": "synchronised to {reference}, stratum {stratum}, offset {offset} s",
    "insp.m.time_unsync": "not synchronised (leap status: {leap})",
    "insp.m.time_not_running": "chronyd is not running",
    "insp.m.reboot_not": "not required",
    "insp.m.reboot_required": "required (/run/reboot-required) by {packages}",
    "insp.m.lists_age": "refreshed {age_seconds} ago",
    "insp.m.lists_none": "the host has no package lists",
    "insp.m.updates_error": "apt-get could not simulate the upgrade: {error}",
    "insp.m.security_updates": "{count}: {packages}",
    "insp.m.updates": "{count} pending, {security} of them security",
    "insp.m.never_patched": "never recorded (the patch job records last_patched in the local fact)",
    "insp.m.patched": "{days} days ago ({date})",
    "insp.m.cert": "{subject}: expires {date}, in {left_seconds}",
    "insp.m.cert_expired": "{subject}: EXPIRED {date}, {ago_seconds} ago",
    "insp.m.cert_error": "cannot be read: {error}",
    "insp.m.cert_missing": "no certificate at {path}",
    "insp.m.journal": "{total} since {since}; most from {top}",
    "insp.m.journal_none": "none since {since}",
    "insp.m.journal_unavailable": "skipped: no journal on this host ({reason})",
    "insp.m.pg_accepting": "accepting connections on port {port} (PostgreSQL {version})",
    "insp.m.pg_not_accepting": "not accepting connections (pg_isready exit status {code}, cluster {status})",
    "insp.m.pg_connections": "{count} of {usable} ({percent})",
    "insp.m.pg_databases": "{total_bytes} in all: {databases}",
    "insp.m.pg_archiver_off": "archive_mode is {mode}: WAL is not archived",
    "insp.m.pg_archiver_failing": (
        "failing: last failure {failed_seconds} ago ({wal}), {count} failure(s) in all; last success "
        "{archived}"
    ),
    "insp.m.pg_archiver_never": "nothing archived since the statistics were reset ({reset})",
    "insp.m.pg_archiver_ok": "last archived {age_seconds} ago ({wal}); {failed} failure(s) since {reset}",
    "insp.m.ago": "{age_seconds} ago",
    "insp.m.never": "never",
    "insp.m.pg_transactions": "oldest open for {age_seconds} (pid {pid}, {user} on {database}, {state})",
    "insp.m.pg_transactions_none": "no open transaction",
    "insp.m.pgbackrest_error": "pgbackrest info failed: {error}",
    "insp.m.verify": "{result} {age_seconds} ago (exit status {status})",
    "insp.m.verify_never": "has not run since the unit was installed",
    "insp.m.verify_missing": "no verify unit on the repository host",
    "insp.m.restore": "{outcome_label} {age_seconds} ago ({date}, {record})",
    "insp.m.health_ok": "HTTP {code}, status ok: version {version}, schema {schema}, database {database}",
    "insp.m.health_bad": "HTTP {code}: {reason}",
    "insp.m.health_none": "no answer: {error}",
    "insp.m.health_no_site": "no medops site in nginx (/etc/nginx/sites-enabled/medops-*)",
    "insp.m.version": "{version}; {deployed}",
    "insp.m.version_mismatch": "serving {serving}, the app role recorded {recorded}; {deployed}",
    "insp.m.deployed": "last deploy record: {version} finished {finished} by {who}",
    "insp.m.no_deploy_record": "no deploy record",
    # Thresholds
    "insp.t.above_both": "warning at {warning}, critical at {critical}",
    "insp.t.above_warning": "warning at {warning}",
    "insp.t.above_critical": "critical at {critical}",
    "insp.t.below_both": "warning below {warning}, critical below {critical}",
    "insp.t.below_warning": "warning below {warning}",
    "insp.t.below_critical": "critical below {critical}",
    "insp.t.off": "not judged (both levels off)",
    "insp.v.plain": "{value}",
    "insp.v.duration": "{value_seconds}",
    "insp.v.seconds": "{value} s",
    "insp.t.reachable": "answers over its inventory connection",
    "insp.t.collection": "every section of the collection script",
    "insp.t.fact": "written by every medops role",
    "insp.t.informational": "for information",
    "insp.t.not_applicable": "not applicable",
    "insp.t.systemd": "running",
    "insp.t.none_expected": "none",
    "insp.t.service": "declared by role {role}: installed, active, enabled",
    "insp.t.service_extra": "listed in inspection_services: installed, active, enabled",
    "insp.t.time": "synchronised; offset {limits}",
    "insp.t.reboot": "no reboot pending",
    "insp.t.updates_simulated": "apt-get can simulate the upgrade",
    "insp.t.pg_accepting": "pg_isready answers (exit status 0)",
    "insp.t.pg_archiver": "archiving on, the last attempt succeeded; age {limits}",
    "insp.t.schedule": "{limits} (backup policy {schedule}: longest gap {gap_seconds})",
    "insp.t.inventory_limit": "{limits} (inspection_thresholds.{name})",
    "insp.t.verify": "succeeded; {limits}",
    "insp.t.restore": "passed; {limits}",
    "insp.t.health": "HTTP 200 with status ok, through nginx",
    "insp.t.version": "the release the app role recorded",
    # Recommendations
    "insp.r.unreachable": (
        "Check that the host is up and reachable over {connection} ({command}). An unreachable production "
        "host is an availability incident: open one unless the outage is planned."
    ),
    "insp.r.collection": (
        'Run the collection script by hand on the host (runbook: weekly-inspection.md, "A section is '
        'incomplete") and fix what it reports.'
    ),
    "insp.r.fact": "Converge the host with playbooks/site.yml so its roles record what they applied.",
    "insp.r.converge": (
        "Converge the host with playbooks/site.yml: its role recorded a component that is missing."
    ),
    "insp.r.rebooted": (
        "Check that the restart was planned (a patch or change record); if not, find its cause in the "
        "previous boot's journal (journalctl -b -1)."
    ),
    "insp.r.load": (
        "Find what keeps the CPUs busy (top, pidstat, the application's request log); if it is the normal "
        "workload, plan more CPUs."
    ),
    "insp.r.memory": (
        "Find the largest processes (ps aux --sort=-rss) and check the application's worker count and "
        "PostgreSQL's memory settings; if the use is normal, plan more memory."
    ),
    "insp.r.swap": (
        "The host runs short of memory: see memory use, and which processes are swapped out (VmSwap)."
    ),
    "insp.r.disk": (
        "Free space on {mount}: old logs, old releases, files in the wrong place (du -xh -d 2 {mount}); "
        "grow the file system if the data is needed."
    ),
    "insp.r.inodes": (
        "Many small files on {mount}: find the folder that holds them (du --inodes -x -d 3 {mount}) "
        "and clean up."
    ),
    "insp.r.forecast": (
        "At this growth {mount} is full in about {days} days: free space or grow it before then."
    ),
    "insp.r.systemd": "List the failed units (systemctl --failed) and fix them.",
    "insp.r.failed_units": (
        "Read each unit's log (journalctl -b -u <unit>), fix the cause, then clear it "
        "(systemctl reset-failed <unit>)."
    ),
    "insp.r.service_missing": (
        "Converge the host (playbooks/site.yml) to install {unit} again, or remove it from "
        "inspection_services if it was dropped on purpose."
    ),
    "insp.r.service_down": (
        "Start it (systemctl start {unit}) and find why it stopped (journalctl -u {unit})."
    ),
    "insp.r.service_disabled": (
        "Enable it so it starts at boot (systemctl enable {unit}); a converge does it too."
    ),
    "insp.r.chrony_missing": "Converge the host: the baseline installs and runs chrony.",
    "insp.r.time_down": (
        "Start chrony (systemctl start chrony) and find why it stopped (journalctl -u chrony)."
    ),
    "insp.r.time_unsync": (
        "chrony has no usable time source: check chronyc sources, the servers in base_chrony_servers "
        "and the firewall on the way (udp/123)."
    ),
    "insp.r.time_offset": (
        "The clock is {offset} s off: check chronyc sources; a clock this far off breaks TLS and log "
        "correlation."
    ),
    "insp.r.reboot": "Plan a reboot in the next maintenance window for: {packages}.",
    "insp.r.lists_stale": (
        "The package lists are old or missing, so pending updates are under-counted: check apt-daily.timer "
        "and the host's access to the mirror (apt-get update)."
    ),
    "insp.r.updates_error": "Run apt-get -s dist-upgrade on the host and fix what apt reports.",
    "insp.r.security_updates": (
        "Propose them to the system owner and apply them in the next window with the patch procedure."
    ),
    "insp.r.pending_updates": "Plan the next patch cycle.",
    "insp.r.never_patched": "Judged once the patch job records last_patched.",
    "insp.r.patch_old": "Patch the host: the contract asks for at least two patch cycles a year.",
    "insp.r.cert": (
        "Renew the certificate before it expires: converge the role that installed {path}; it issues "
        "a new one from the CA."
    ),
    "insp.r.cert_error": "Check {path}: it must hold PEM certificates that openssl can read.",
    "insp.r.journal": "Read them (journalctl -p err --since {since}); most come from {top}.",
    "insp.r.pg_down": "Start PostgreSQL (systemctl start {unit}) and read its log in /var/log/postgresql/.",
    "insp.r.pg_connections": (
        "Find who holds the connections (pg_stat_activity by user and application) and check the "
        "application's pool size before raising max_connections."
    ),
    "insp.r.pg_archiver_off": (
        "Without WAL archiving there is no point-in-time recovery: set postgresql_archive_command in "
        "inventory and converge."
    ),
    "insp.r.pg_archiver_failing": (
        "Point-in-time recovery stops at the last archived segment and pg_wal grows: run pgbackrest "
        "check on the database host and read the PostgreSQL log."
    ),
    "insp.r.pg_archiver_age": (
        "No WAL archived for {age}: check archive_command with pgbackrest check (an idle database archives "
        "only when archive_timeout forces a switch)."
    ),
    "insp.r.pg_transactions": (
        "A transaction open this long holds back vacuum and may hold locks: find pid {pid} in "
        "pg_stat_activity, have its owner end it, or end it with pg_terminate_backend."
    ),
    "insp.r.pgbackrest_error": (
        "Run pgbackrest info as the pgbackrest user on the repository host and fix what it reports."
    ),
    "insp.r.verify_failed": (
        "verify found damage or failed: read journalctl -u pgbackrest-{stanza}-verify, fix the cause, "
        "then take a full backup."
    ),
    "insp.r.verify_old": "verify has not run as scheduled: check pgbackrest-{stanza}-verify.timer.",
    "insp.r.verify_missing": (
        "Converge the repository host: the pgbackrest role schedules verify for each stanza."
    ),
    "insp.r.health": (
        "The application does not answer healthy through nginx: read the reason, journalctl -u {service} "
        "and nginx's error log (deploy runbook, health check)."
    ),
    "insp.r.version_mismatch": (
        "The running release is not the one recorded: check the deploy records and deploy the intended "
        "version."
    ),
    # What each inventory limit measures
    "insp.limit.load_per_cpu": "15-minute load average divided by the CPUs online",
    "insp.limit.memory_used": "share of memory in use (1 - MemAvailable / MemTotal)",
    "insp.limit.swap_used": "share of swap in use (hosts without swap: not judged)",
    "insp.limit.disk_used": "share of a file system in use, as df's Use% (read-only ones: not judged)",
    "insp.limit.inode_used": "share of a file system's inodes in use",
    "insp.limit.disk_days_until_full": "days until a file system is full at its growth over past inspections",
    "insp.limit.time_offset_seconds": "how far the clock is from NTP time",
    "insp.limit.security_updates": "pending updates from a -security suite",
    "insp.limit.pending_updates": "pending updates of any origin",
    "insp.limit.package_lists_age_days": "age of the newest package list",
    "insp.limit.days_since_patch": "days since the patch job last recorded last_patched",
    "insp.limit.certificate_days_left": "days until a certificate expires",
    "insp.limit.journal_errors": "journal entries of priority err or worse since the previous inspection",
    "insp.limit.pg_connections_used": (
        "client connections / (max_connections - superuser_reserved_connections)"
    ),
    "insp.limit.pg_last_archived_hours": "time since the WAL archiver last archived a segment",
    "insp.limit.pg_transaction_minutes": "age of the oldest open transaction",
    "insp.limit.backup_full_age_hours": (
        "age of the newest full backup, when the backup policy has no schedule"
    ),
    "insp.limit.backup_diff_age_hours": "age of the newest differential backup, idem",
    "insp.limit.backup_incr_age_hours": "age of the newest incremental backup, idem",
    "insp.limit.backup_verify_age_hours": "age of the last pgbackrest verify run, idem",
    "insp.limit.restore_test_age_days": "age of a stanza's newest restore test, idem",
    # The report
    "insp.ui.intro": (
        "The weekly inspection of the {environment} estate: host usage, CPU and memory load, disks, "
        "services, time, updates, certificates, databases, backups and the applications, each judged "
        "against the thresholds in inventory. Each finding gives the measured value, the threshold and "
        "what to do."
    ),
    "insp.ui.week": "Week",
    "insp.ui.run_at": "Run at",
    "insp.ui.elapsed": "Duration",
    "insp.ui.elapsed_value": "{seconds} s for {hosts} hosts",
    "insp.ui.inventory": "Inventory",
    "insp.ui.limit_hosts": "Hosts",
    "insp.ui.all_hosts": "all",
    "insp.ui.runs": "Runs this week",
    "insp.ui.status": "Status",
    "insp.ui.hosts": "Hosts",
    "insp.ui.host": "Host",
    "insp.ui.hosts_by_status": "Hosts by status",
    "insp.ui.findings_by_severity": "Findings by severity",
    "insp.ui.skipped": "Skipped",
    "insp.ui.availability": "Availability at the time of the inspection:",
    "insp.ui.hosts_reachable": "Hosts reachable",
    "insp.ui.services_running": "Declared services running",
    "insp.ui.health_ok": "Application health checks answering",
    "insp.ui.databases_accepting": "Databases accepting connections",
    "insp.ui.of": "{good} of {total}",
    "insp.ui.action": "What needs action",
    "insp.ui.no_action": "Nothing needs action this week.",
    "insp.ui.check": "Check",
    "insp.ui.subject": "Subject",
    "insp.ui.threshold": "Threshold",
    "insp.ui.groups": "Groups",
    "insp.ui.address": "Address",
    "insp.ui.collected": "Collected at",
    "insp.ui.os": "System",
    "insp.ui.uptime": "Uptime",
    "insp.ui.cpu": "CPUs and load",
    "insp.ui.cpu_value": "{cpus} CPU(s); load {load1} / {load5} / {load15}",
    "insp.ui.memory": "Memory",
    "insp.ui.swap": "Swap",
    "insp.ui.roles": "medops roles applied",
    "insp.ui.app": "Application",
    "insp.ui.unreachable": "The host could not be inspected: {error}",
    "insp.ui.filesystems": "File systems",
    "insp.ui.mount": "Mount point",
    "insp.ui.used": "Used",
    "insp.ui.inodes": "Inodes",
    "insp.ui.growth": "Growth a week",
    "insp.ui.until_full": "Full in",
    "insp.ui.readonly": "read-only",
    "insp.ui.not_enough": "not enough data ({points})",
    "insp.ui.not_growing": "not growing",
    "insp.ui.chart_title": "{host}: load, memory and disk use over past inspections",
    "insp.ui.chart_alt": (
        "Line charts of {host} over {count} weekly inspections: load per CPU, memory use, disk use."
    ),
    "insp.ui.chart_note": "Dashed lines: warning (orange) and critical (red) thresholds.",
    "insp.ui.load_per_cpu": "load per CPU",
    "insp.ui.load_panel": "15-minute load per CPU",
    "insp.ui.memory_panel": "Memory in use",
    "insp.ui.disk_panel": "Disk use by file system",
    "insp.ui.thresholds": "Thresholds",
    "insp.ui.thresholds_intro": (
        "The limits this inspection judged by (inventory: group_vars/all/inspection.yml over medops' "
        "defaults; docs/inspection-thresholds.md)."
    ),
    "insp.ui.thresholds_differ": "These hosts have limits of their own (group overrides): {hosts}.",
    "insp.ui.limit": "Limit",
    "insp.ui.measures": "Measures",
    "insp.ui.off": "off",
    "insp.ui.inspected_by": "Inspected by",
    "insp.ui.footer": "Generated by medops {version} at {generated} (UTC+8) from {record}.",
    "insp.term.run": (
        "inspection {week} ({environment}): {result}; {hosts} hosts: {ok} ok, {warning} warning, {critical} "
        "critical, {unreachable} unreachable; findings: {f_critical} critical, {f_warning} warning"
    ),
}

ZH_CN: dict[str, str] = {
    "insp.title": "每周巡检报告",
    "insp.subtitle": "{environment} 环境，第 {week} 周",
    "insp.status.unreachable": "不可达",
    "insp.check.reachable": "主机可达性",
    "insp.check.collection": "数据采集",
    "insp.check.fact": "medops 本地事实",
    "insp.check.uptime": "运行时间",
    "insp.check.load": "CPU 负载",
    "insp.check.memory": "内存使用",
    "insp.check.swap": "交换空间使用",
    "insp.check.disk": "磁盘使用",
    "insp.check.inodes": "索引节点使用",
    "insp.check.disk_forecast": "距写满天数",
    "insp.check.systemd": "systemd 状态",
    "insp.check.failed_units": "失败的单元",
    "insp.check.service": "声明的服务",
    "insp.check.time_sync": "时间同步",
    "insp.check.reboot": "需要重启",
    "insp.check.package_lists": "软件包列表",
    "insp.check.security_updates": "待安装的安全更新",
    "insp.check.pending_updates": "待安装的更新",
    "insp.check.last_patch": "距上次打补丁天数",
    "insp.check.certificate": "TLS 证书",
    "insp.check.journal_errors": "日志错误",
    "insp.check.pg_accepting": "PostgreSQL 接受连接",
    "insp.check.pg_connections": "PostgreSQL 连接数",
    "insp.check.pg_databases": "数据库大小",
    "insp.check.pg_archiver": "WAL 归档",
    "insp.check.pg_transactions": "长时间运行的事务",
    "insp.check.backup_stanza": "pgBackRest 备份集",
    "insp.check.backup_full": "最新全量备份",
    "insp.check.backup_diff": "最新差异备份",
    "insp.check.backup_incr": "最新增量备份",
    "insp.check.backup_verify": "最近一次 pgBackRest 校验",
    "insp.check.restore_test": "最近一次恢复测试",
    "insp.check.app_health": "应用健康检查",
    "insp.check.app_version": "已部署版本",
    "insp.m.unreachable": "无法连接：{error}",
    "insp.m.answered": "通过 {connection} 在 {seconds} 秒内应答",
    "insp.m.problem": "不完整：{problem}",
    "insp.m.fact_missing": "没有 /etc/ansible/facts.d/medops.fact：medops 从未配置过该主机",
    "insp.m.fact_bad": "无法读取 /etc/ansible/facts.d/medops.fact：{problem}",
    "insp.m.fact_roles": "已应用的角色：{roles}",
    "insp.m.uptime": "已运行 {uptime_seconds}，自 {boot} 起",
    "insp.m.uptime_rebooted": "已运行 {uptime_seconds}，自 {boot} 起：上次巡检后曾重启",
    "insp.m.load": "负载 {load1} / {load5} / {load15}，{cpus} 个 CPU：15 分钟内每 CPU {per_cpu}",
    "insp.m.used_of": "已使用 {percent}（{total_bytes} 中的 {used_bytes}）",
    "insp.m.swap_none": "该主机没有交换空间",
    "insp.m.disk": "已使用 {percent}（{total_bytes} 中的 {used_bytes}，剩余 {free_bytes}）",
    "insp.m.readonly": "只读挂载，已使用 {percent}：不会写满，不作评判",
    "insp.m.inodes": "{total} 个索引节点中已使用 {percent}",
    "insp.m.forecast": "按每周 {growth_bytes} 的增长，{days_seconds} 后写满（依据 {points} 次巡检的趋势）",
    "insp.m.forecast_flat": "{points} 次巡检中没有增长（每周 {growth_bytes}）",
    "insp.m.forecast_short": "数据不足：仅 {points} 次巡检，至少需要 2 次",
    "insp.m.systemd": "systemd 状态为 {state}",
    "insp.m.failed_units": "{count} 个：{units}",
    "insp.m.none": "无",
    "insp.m.service_missing": "未安装：systemd 中没有该单元",
    "insp.m.service_state": "{active}（{sub}），单元文件 {unit_file}",
    "insp.m.not_installed": "未安装 {component}",
    "insp.m.not_deployed": "跳过：该主机未部署 {component}",
    "insp.m.time_sync": "已同步到 {reference}，层级 {stratum}，偏差 {offset} 秒",
    "insp.m.time_unsync": "未同步（闰秒状态：{leap}）",
    "insp.m.time_not_running": "chronyd 未运行",
    "insp.m.reboot_not": "不需要",
    "insp.m.reboot_required": "需要重启（/run/reboot-required），涉及 {packages}",
    "insp.m.lists_age": "{age_seconds}前更新",
    "insp.m.lists_none": "该主机没有软件包列表",
    "insp.m.updates_error": "apt-get 无法模拟升级：{error}",
    "insp.m.security_updates": "{count} 个：{packages}",
    "insp.m.updates": "待安装 {count} 个，其中安全更新 {security} 个",
    "insp.m.never_patched": "从未记录（补丁作业会在本地事实中记录 last_patched）",
    "insp.m.patched": "{days} 天前（{date}）",
    "insp.m.cert": "{subject}：{date} 到期，还剩 {left_seconds}",
    "insp.m.cert_expired": "{subject}：已于 {date} 过期，已过去 {ago_seconds}",
    "insp.m.cert_error": "无法读取：{error}",
    "insp.m.cert_missing": "{path} 处没有证书",
    "insp.m.journal": "自 {since} 起共 {total} 条；主要来自 {top}",
    "insp.m.journal_none": "自 {since} 起没有",
    "insp.m.journal_unavailable": "跳过：该主机没有系统日志（{reason}）",
    "insp.m.pg_accepting": "在端口 {port} 接受连接（PostgreSQL {version}）",
    "insp.m.pg_not_accepting": "不接受连接（pg_isready 退出码 {code}，集群状态 {status}）",
    "insp.m.pg_connections": "{usable} 个中已用 {count} 个（{percent}）",
    "insp.m.pg_databases": "合计 {total_bytes}：{databases}",
    "insp.m.pg_archiver_off": "archive_mode 为 {mode}：WAL 未归档",
    "insp.m.pg_archiver_failing": (
        "归档失败：最近一次失败在 {failed_seconds}前（{wal}），共失败 {count} 次；最近一次成功 {archived}"
    ),
    "insp.m.pg_archiver_never": "自统计重置（{reset}）以来没有归档",
    "insp.m.pg_archiver_ok": "最近一次归档在 {age_seconds}前（{wal}）；自 {reset} 起失败 {failed} 次",
    "insp.m.ago": "{age_seconds}前",
    "insp.m.never": "从未",
    "insp.m.pg_transactions": "最早的事务已打开 {age_seconds}（pid {pid}，{user} 在 {database}，{state}）",
    "insp.m.pg_transactions_none": "没有打开的事务",
    "insp.m.pgbackrest_error": "pgbackrest info 执行失败：{error}",
    "insp.m.verify": "{age_seconds}前结果为 {result}（退出码 {status}）",
    "insp.m.verify_never": "单元安装后尚未运行",
    "insp.m.verify_missing": "备份主机上没有校验单元",
    "insp.m.restore": "{age_seconds}前{outcome_label}（{date}，{record}）",
    "insp.m.health_ok": "HTTP {code}，状态 ok：版本 {version}，数据库结构版本 {schema}，数据库 {database}",
    "insp.m.health_bad": "HTTP {code}：{reason}",
    "insp.m.health_none": "无应答：{error}",
    "insp.m.health_no_site": "nginx 中没有 medops 站点（/etc/nginx/sites-enabled/medops-*）",
    "insp.m.version": "{version}；{deployed}",
    "insp.m.version_mismatch": "正在运行 {serving}，app 角色记录的是 {recorded}；{deployed}",
    "insp.m.deployed": "最近的部署记录：{version}，由 {who} 于 {finished} 完成",
    "insp.m.no_deploy_record": "没有部署记录",
    "insp.t.above_both": "达到 {warning} 警告，达到 {critical} 严重",
    "insp.t.above_warning": "达到 {warning} 警告",
    "insp.t.above_critical": "达到 {critical} 严重",
    "insp.t.below_both": "低于 {warning} 警告，低于 {critical} 严重",
    "insp.t.below_warning": "低于 {warning} 警告",
    "insp.t.below_critical": "低于 {critical} 严重",
    "insp.t.off": "不评判（两个级别均已关闭）",
    "insp.v.plain": "{value}",
    "insp.v.duration": "{value_seconds}",
    "insp.v.seconds": "{value} 秒",
    "insp.t.reachable": "可通过清单中的连接方式应答",
    "insp.t.collection": "采集脚本的每个部分",
    "insp.t.fact": "由每个 medops 角色写入",
    "insp.t.informational": "仅供参考",
    "insp.t.not_applicable": "不适用",
    "insp.t.systemd": "running（正常运行）",
    "insp.t.none_expected": "无",
    "insp.t.service": "由 {role} 角色声明：已安装、运行中、已启用",
    "insp.t.service_extra": "列于 inspection_services：已安装、运行中、已启用",
    "insp.t.time": "已同步；偏差 {limits}",
    "insp.t.reboot": "没有待执行的重启",
    "insp.t.updates_simulated": "apt-get 能够模拟升级",
    "insp.t.pg_accepting": "pg_isready 应答（退出码 0）",
    "insp.t.pg_archiver": "归档开启，最近一次尝试成功；时长 {limits}",
    "insp.t.schedule": "{limits}（备份策略 {schedule}：最长间隔 {gap_seconds}）",
    "insp.t.inventory_limit": "{limits}（inspection_thresholds.{name}）",
    "insp.t.verify": "成功；{limits}",
    "insp.t.restore": "通过；{limits}",
    "insp.t.health": "经 nginx 返回 HTTP 200 且状态为 ok",
    "insp.t.version": "app 角色记录的版本",
    "insp.r.unreachable": (
        "检查主机是否开机并能通过 {connection} 连接（{command}）。生产主机不可达属于可用性事件：如"
        "非计划停机，应立即登记事件。"
    ),
    "insp.r.collection": (
        "在该主机上手动运行采集脚本（运行手册 weekly-inspection.md，“某部分不完整”），并修复其报告的问题。"
    ),
    "insp.r.fact": "使用 playbooks/site.yml 配置该主机，使各角色记录其应用的内容。",
    "insp.r.converge": "使用 playbooks/site.yml 配置该主机：其角色记录的组件缺失。",
    "insp.r.rebooted": (
        "确认该重启是否在计划内（补丁或变更记录）；如不是，在上一次启动的日志中查找原因（journalctl -b -1）。"
    ),
    "insp.r.load": "找出占用 CPU 的进程（top、pidstat、应用请求日志）；如属正常业务负载，规划增加 CPU。",
    "insp.r.memory": (
        "找出占用内存最多的进程（ps aux --sort=-rss），检查应用的工作进程数和 PostgreSQL 的内存设置"
        "；如属正常使用，规划增加内存。"
    ),
    "insp.r.swap": "主机内存不足：查看内存使用情况，以及哪些进程被换出（VmSwap）。",
    "insp.r.disk": (
        "清理 {mount} 上的空间：旧日志、旧版本、放错位置的文件（du -xh -d 2 {mount}）；如数据确需保"
        "留，扩容该文件系统。"
    ),
    "insp.r.inodes": "{mount} 上小文件过多：找出存放这些文件的目录（du --inodes -x -d 3 {mount}）并清理。",
    "insp.r.forecast": "按当前增长速度，{mount} 约 {days} 天后写满：请在此之前清理空间或扩容。",
    "insp.r.systemd": "列出失败的单元（systemctl --failed）并修复。",
    "insp.r.failed_units": (
        "查看每个单元的日志（journalctl -b -u <单元>），排除原因后清除失败状态（systemctl reset-failed "
        "<单元>）。"
    ),
    "insp.r.service_missing": (
        "配置该主机（playbooks/site.yml）以重新安装 {unit}；如系有意移除，请将其从 inspection_services "
        "中删除。"
    ),
    "insp.r.service_down": (
        "启动该服务（systemctl start {unit}），并查明其停止的原因（journalctl -u {unit}）。"
    ),
    "insp.r.service_disabled": "启用该服务，使其开机自启（systemctl enable {unit}）；重新配置主机也会启用。",
    "insp.r.chrony_missing": "配置该主机：基线角色会安装并运行 chrony。",
    "insp.r.time_down": "启动 chrony（systemctl start chrony），并查明其停止的原因（journalctl -u chrony）。",
    "insp.r.time_unsync": (
        "chrony 没有可用的时间源：检查 chronyc sources、base_chrony_servers 中的服务器以及沿途防火"
        "墙（udp/123）。"
    ),
    "insp.r.time_offset": (
        "时钟偏差 {offset} 秒：检查 chronyc sources；时钟偏差过大会导致 TLS 失败和日志无法对应。"
    ),
    "insp.r.reboot": "在下一个维护窗口安排重启，涉及：{packages}。",
    "insp.r.lists_stale": (
        "软件包列表过旧或缺失，待安装更新可能统计不全：检查 apt-daily.timer 以及主机到软件源的访问"
        "（apt-get update）。"
    ),
    "insp.r.updates_error": "在该主机上运行 apt-get -s dist-upgrade，并修复 apt 报告的问题。",
    "insp.r.security_updates": "向系统负责人提交补丁建议，并在下一个维护窗口按补丁流程安装。",
    "insp.r.pending_updates": "规划下一个补丁周期。",
    "insp.r.never_patched": "待补丁作业记录 last_patched 后再评判。",
    "insp.r.patch_old": "为该主机打补丁：合同要求每年至少进行两次补丁更新。",
    "insp.r.cert": "在证书到期前续期：重新配置安装 {path} 的角色，该角色会由 CA 签发新证书。",
    "insp.r.cert_error": "检查 {path}：其中必须是 openssl 能读取的 PEM 证书。",
    "insp.r.journal": "查看这些错误（journalctl -p err --since {since}）；主要来自 {top}。",
    "insp.r.pg_down": "启动 PostgreSQL（systemctl start {unit}），并查看 /var/log/postgresql/ 中的日志。",
    "insp.r.pg_connections": (
        "找出占用连接的用户和应用（pg_stat_activity），在提高 max_connections 之前先检查应用的连接池大小。"
    ),
    "insp.r.pg_archiver_off": (
        "没有 WAL 归档就无法进行时间点恢复：在清单中设置 postgresql_archive_command 并重新配置。"
    ),
    "insp.r.pg_archiver_failing": (
        "时间点恢复将止于最后归档的段，且 pg_wal 会不断增长：在数据库主机上运行 pgbackrest check，"
        "并查看 PostgreSQL 日志。"
    ),
    "insp.r.pg_archiver_age": (
        "已有 {age} 未归档 WAL：用 pgbackrest check 检查 archive_command（空闲数据库只有在 archive_timeout "
        "强制切换时才会归档）。"
    ),
    "insp.r.pg_transactions": (
        "长时间打开的事务会阻碍 vacuum 并可能持有锁：在 pg_stat_activity 中找到 pid {pid}，请其所有"
        "者结束该事务，或用 pg_terminate_backend 终止。"
    ),
    "insp.r.pgbackrest_error": "在备份主机上以 pgbackrest 用户运行 pgbackrest info，并修复其报告的问题。",
    "insp.r.verify_failed": (
        "校验发现损坏或执行失败：查看 journalctl -u pgbackrest-{stanza}-verify，排除原因后执行一次全量备份。"
    ),
    "insp.r.verify_old": "校验未按计划运行：检查 pgbackrest-{stanza}-verify.timer。",
    "insp.r.verify_missing": "重新配置备份主机：pgbackrest 角色会为每个备份集安排校验。",
    "insp.r.health": (
        "应用经 nginx 未返回健康状态：查看返回的原因、journalctl -u {service} 以及 nginx 错误日志（"
        "部署运行手册，健康检查）。"
    ),
    "insp.r.version_mismatch": "正在运行的版本与记录不一致：核对部署记录，并部署预期的版本。",
    "insp.limit.load_per_cpu": "15 分钟平均负载除以在线 CPU 数",
    "insp.limit.memory_used": "内存使用比例（1 - MemAvailable / MemTotal）",
    "insp.limit.swap_used": "交换空间使用比例（无交换空间的主机不评判）",
    "insp.limit.disk_used": "文件系统使用比例，同 df 的 Use%（只读文件系统不评判）",
    "insp.limit.inode_used": "文件系统索引节点使用比例",
    "insp.limit.disk_days_until_full": "按以往巡检的增长速度，文件系统距写满的天数",
    "insp.limit.time_offset_seconds": "时钟与 NTP 时间的偏差",
    "insp.limit.security_updates": "来自 -security 源的待安装更新数",
    "insp.limit.pending_updates": "所有来源的待安装更新数",
    "insp.limit.package_lists_age_days": "最新软件包列表的时长",
    "insp.limit.days_since_patch": "补丁作业最近一次记录 last_patched 以来的天数",
    "insp.limit.certificate_days_left": "证书距到期的天数",
    "insp.limit.journal_errors": "上次巡检以来 err 及以上级别的日志条数",
    "insp.limit.pg_connections_used": "客户端连接数 /（max_connections - superuser_reserved_connections）",
    "insp.limit.pg_last_archived_hours": "WAL 归档进程最近一次归档以来的时长",
    "insp.limit.pg_transaction_minutes": "最早打开的事务的时长",
    "insp.limit.backup_full_age_hours": "最新全量备份的时长（备份策略未规定计划时使用）",
    "insp.limit.backup_diff_age_hours": "最新差异备份的时长（同上）",
    "insp.limit.backup_incr_age_hours": "最新增量备份的时长（同上）",
    "insp.limit.backup_verify_age_hours": "最近一次 pgbackrest 校验的时长（同上）",
    "insp.limit.restore_test_age_days": "备份集最新恢复测试的时长（同上）",
    "insp.ui.intro": (
        "{environment} 环境的每周巡检：主机使用情况、CPU 和内存负载、磁盘、服务、时间、更新、证书、"
        "数据库、备份和应用，均对照清单中的阈值进行评判。每项检查结果列出实测值、阈值和处理建议。"
    ),
    "insp.ui.week": "周次",
    "insp.ui.run_at": "运行时间",
    "insp.ui.elapsed": "耗时",
    "insp.ui.elapsed_value": "{hosts} 台主机共 {seconds} 秒",
    "insp.ui.inventory": "清单",
    "insp.ui.limit_hosts": "主机范围",
    "insp.ui.all_hosts": "全部",
    "insp.ui.runs": "本周运行次数",
    "insp.ui.status": "状态",
    "insp.ui.hosts": "主机",
    "insp.ui.host": "主机",
    "insp.ui.hosts_by_status": "按状态统计的主机",
    "insp.ui.findings_by_severity": "按严重程度统计的检查结果",
    "insp.ui.skipped": "跳过",
    "insp.ui.availability": "巡检时的可用性：",
    "insp.ui.hosts_reachable": "可达的主机",
    "insp.ui.services_running": "正在运行的声明服务",
    "insp.ui.health_ok": "应答正常的应用健康检查",
    "insp.ui.databases_accepting": "接受连接的数据库",
    "insp.ui.of": "{total} 个中 {good} 个",
    "insp.ui.action": "需要处理的事项",
    "insp.ui.no_action": "本周没有需要处理的事项。",
    "insp.ui.check": "检查项",
    "insp.ui.subject": "对象",
    "insp.ui.threshold": "阈值",
    "insp.ui.groups": "所属组",
    "insp.ui.address": "地址",
    "insp.ui.collected": "采集时间",
    "insp.ui.os": "系统",
    "insp.ui.uptime": "运行时间",
    "insp.ui.cpu": "CPU 与负载",
    "insp.ui.cpu_value": "{cpus} 个 CPU；负载 {load1} / {load5} / {load15}",
    "insp.ui.memory": "内存",
    "insp.ui.swap": "交换空间",
    "insp.ui.roles": "已应用的 medops 角色",
    "insp.ui.app": "应用",
    "insp.ui.unreachable": "无法巡检该主机：{error}",
    "insp.ui.filesystems": "文件系统",
    "insp.ui.mount": "挂载点",
    "insp.ui.used": "已使用",
    "insp.ui.inodes": "索引节点",
    "insp.ui.growth": "每周增长",
    "insp.ui.until_full": "距写满",
    "insp.ui.readonly": "只读",
    "insp.ui.not_enough": "数据不足（{points}）",
    "insp.ui.not_growing": "没有增长",
    "insp.ui.chart_title": "{host}：以往巡检中的负载、内存和磁盘使用",
    "insp.ui.chart_alt": "{host} 在 {count} 次每周巡检中的折线图：每 CPU 负载、内存使用、磁盘使用。",
    "insp.ui.chart_note": "虚线：警告（橙色）和严重（红色）阈值。",
    "insp.ui.load_per_cpu": "每 CPU 负载",
    "insp.ui.load_panel": "15 分钟每 CPU 负载",
    "insp.ui.memory_panel": "内存使用",
    "insp.ui.disk_panel": "各文件系统磁盘使用",
    "insp.ui.thresholds": "阈值",
    "insp.ui.thresholds_intro": (
        "本次巡检使用的阈值（清单 group_vars/all/inspection.yml 覆盖 medops 默认值；"
        "见 docs/inspection-thresholds.md）。"
    ),
    "insp.ui.thresholds_differ": "以下主机使用各自的阈值（组覆盖）：{hosts}。",
    "insp.ui.limit": "阈值项",
    "insp.ui.measures": "衡量内容",
    "insp.ui.off": "关闭",
    "insp.ui.inspected_by": "巡检人",
    "insp.ui.footer": "由 medops {version} 于 {generated}（UTC+8）根据 {record} 生成。",
    "insp.term.run": (
        "巡检 {week}（{environment}）：{result}；{hosts} 台主机：正常 {ok}，警告 {warning}，严重 {critical}"
        "，不可达 {unreachable}；检查结果：严重 {f_critical}，警告 {f_warning}"
    ),
}
