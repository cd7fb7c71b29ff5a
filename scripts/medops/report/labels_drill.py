"""The drill report's labels (`drill.*`), in English and Simplified Chinese; medops.report.labels merges them
into its two dictionaries, and its rules apply (same keys and parameters in both, full-width Chinese
punctuation).

Keys: `drill.phase.<name>` names a phase of the rebuild or fail-back, `drill.h.*` a headline line,
`drill.fig.*` a figure of the summary, `drill.ui.*` the report's own words.
"""

# ruff: noqa: RUF001

from __future__ import annotations

EN: dict[str, str] = {
    "drill.title": "Disaster-recovery drill",
    "drill.title_incident": "Disaster recovery",
    "drill.subtitle": "{system}, {environment} estate, {date}",
    "drill.intro": (
        "When {system}'s production database cannot be repaired in time, a temporary environment is rebuilt "
        "on the spare host from the backup repository and serves users within the RTO ({rto}); at most the "
        "RPO ({rpo}) of committed data may be lost. Once the primary is repaired or replaced, the fail-back "
        "returns every row written meanwhile. This report shows what the record of this run measured."
    ),
    "drill.kind.drill": "drill",
    "drill.kind.incident": "real incident",
    "drill.outcome.success": "success",
    "drill.outcome.failed": "failed",
    "drill.outcome.refused": "refused",
    "drill.outcome.running": "did not finish",
    "drill.met": "met",
    "drill.missed": "missed",
    "drill.not_judged": "not judged",
    "drill.not_measured": "not measured",
    "drill.not_yet": "not yet",
    "drill.seconds": "{value} s",
    "drill.rto_from.failure": "after the failure",
    "drill.rto_from.rebuild": "after the rebuild started (failure time not recorded)",
    "drill.target.latest": "latest (end of the WAL archive)",
    "drill.target.time": "point in time {value}",
    "drill.target.name": "restore point {value}",
    # Phases
    "drill.phase.checks": "Checks",
    "drill.phase.base": "Baseline",
    "drill.phase.postgresql": "PostgreSQL (restore mode)",
    "drill.phase.pgbackrest": "pgBackRest",
    "drill.phase.restore": "Restore",
    "drill.phase.recovery": "WAL replay and promotion",
    "drill.phase.app": "Application",
    "drill.phase.nginx": "nginx",
    "drill.phase.verify": "Verification",
    "drill.phase.maintenance": "Maintenance page on",
    "drill.phase.final_wal": "Final WAL archived",
    "drill.phase.primary": "Primary host prepared",
    "drill.phase.in_service": "Application back on the primary",
    "drill.phase.spare": "Spare returned to spare state",
    "drill.phase.backup": "Backup started",
    # Headline
    "drill.h.title": "drill {id} ({environment}): rebuild {outcome} in {seconds}",
    "drill.h.refused": "  refused: {reasons}",
    "drill.h.failure": "  failed: {failure}",
    "drill.h.rto": "  RTO: serving {measured} {origin} (objective {objective}: {result})",
    "drill.h.rpo": (
        "  RPO: {measured} (objective {objective}: {result}); newest heartbeat restored {heartbeat}"
    ),
    "drill.h.restore": (
        "  restore: {backup}, {size} in {seconds} ({rate}/s), {segments} WAL segments ({wal}) replayed"
    ),
    "drill.h.projection": "  projected for {gb} GiB: {total} (RTO {objective}: {result})",
    "drill.h.projection_indicative": (
        "  projected for {gb} GiB: {total} (RTO {objective}; indicative only: "
        "measured on {share} of that size)"
    ),
    "drill.h.failback": (
        "  fail-back: {outcome} in {seconds}, users out of service {downtime}; {tables} tables: {checksums}"
    ),
    "drill.h.no_failback": "  fail-back: not yet",
    # Summary figures
    "drill.sec.summary": "Summary",
    "drill.fig.rto": "Recovery time (RTO)",
    "drill.fig.rpo": "Data lost (RPO)",
    "drill.fig.projection": "Rebuild projected to production size",
    "drill.fig.checksums": "Rows of the temporary period after the fail-back",
    "drill.fig.downtime": "Users out of service during the fail-back",
    "drill.rto_value": "{seconds} {origin}",
    "drill.projection_value": "{seconds} for {gb} GiB",
    "drill.checksums_value": "{equal} of {tables} tables equal on both sides",
    "drill.checksums_expected": "every table equal",
    "drill.checksums_equal": "checksums equal on both sides",
    "drill.checksums_differ": "checksums DIFFER",
    "drill.ui.figure": "Figure",
    "drill.ui.measured": "Measured",
    "drill.ui.objective": "Objective",
    "drill.ui.result": "Result",
    # Header facts
    "drill.ui.system": "System",
    "drill.ui.environment": "Environment",
    "drill.ui.kind": "Kind",
    "drill.ui.failed_at": "Failure at",
    "drill.ui.hosts": "Hosts",
    "drill.hosts_value": "primary {primary}, spare {spare}, repository {repository}",
    "drill.ui.rebuild": "Rebuild",
    "drill.ui.failback": "Fail-back",
    # Rebuild
    "drill.sec.rebuild": "Rebuild of the temporary environment",
    "drill.ui.started": "Started",
    "drill.ui.finished": "Finished",
    "drill.ui.duration": "Duration",
    "drill.ui.outcome": "Outcome",
    "drill.ui.who": "Run by",
    "drill.ui.target": "Recovery target",
    "drill.ui.serving_at": "Serving users from",
    "drill.ui.release": "Application release",
    "drill.release_value": "{version} (from {source})",
    "drill.refusals": "Refused before any change: {reasons}",
    "drill.failure": "Failed: {failure}",
    "drill.ui.phase": "Phase",
    "drill.ui.start": "Start",
    "drill.ui.share": "Share",
    "drill.offset": "{time} (+{offset})",
    "drill.chart.rebuild": "Phases of the rebuild, measured",
    "drill.chart.rebuild_alt": "Timeline of the {count} measured phases of the rebuild",
    "drill.chart.rebuild_note": (
        "The measured rebuild used {share} of the RTO budget ({budget}); the budget lies beyond this axis."
    ),
    "drill.legend.measured": "measured",
    "drill.legend.projected": "projected (grows with the database)",
    "drill.legend.failback": "fail-back",
    "drill.mark.failure": "failure",
    "drill.mark.serving": "serving after {seconds}",
    "drill.mark.budget": "RTO {seconds}",
    "drill.mark.projected": "projected end {seconds}",
    "drill.mark.down": "out of service",
    "drill.mark.back": "back after {seconds}",
    "drill.ui.backup": "Backup restored",
    "drill.backup_value": "{label} ({type}, finished {stop})",
    "drill.ui.restored": "Restored",
    "drill.restored_value": "{size} in {seconds} with {processes} processes",
    "drill.ui.throughput": "Restore throughput",
    "drill.rate_value": "{rate}/s",
    "drill.ui.wal": "WAL replayed",
    "drill.wal_value": "{size} in {segments} segments, {start} to {end}; now on timeline {timeline}",
    "drill.ui.replay": "Replay and promotion",
    "drill.ui.archive_end": "Newest archived WAL",
    "drill.archive_end_yes": "reached ({segment}): no committed data of the archive was left behind",
    "drill.archive_end_no": "NOT reached ({segment}): recovery stopped before the archive's end",
    "drill.health": (
        "Health check through nginx: {status}; release {version}; schema version {schema} (the release "
        "expects {expected})."
    ),
    "drill.rpo_note": (
        "Newest heartbeat restored: {heartbeat} (written by {source}); failure at {failure}; data lost: "
        "{seconds}. PostgreSQL switches WAL at least every {archive_timeout}, which bounds the loss."
    ),
    "drill.ui.database": "Database",
    "drill.ui.table": "Table",
    "drill.ui.known": "Rows known",
    "drill.ui.restored_rows": "Rows restored",
    "drill.rows_caption": "Row counts against the last values known ({source}); later rows are expected",
    "drill.rows_caption_exact": "Row counts against the values known at the same restore point ({source})",
    "drill.rows.missing": "table missing",
    "drill.rows.new": "new table",
    "drill.rows.equal": "equal",
    "drill.rows.more": "more rows",
    "drill.rows.fewer": "fewer rows",
    # Projection
    "drill.sec.projection": "Rebuild projected to the production database",
    "drill.chart.projection": "Rebuild of {gb} GiB against the RTO budget",
    "drill.chart.projection_alt": "Timeline of the rebuild projected to {gb} GiB, with the RTO budget",
    "drill.chart.projection_note": "Projected rebuild {total}: {share} of the RTO budget ({budget}).",
    "drill.projection_basis": (
        "The restore is scaled to {gb} GiB at the measured throughput ({restore}); the other phases are "
        "taken as measured. The lab restored {share} of that size."
    ),
    "drill.projection_caveat": (
        "Below 10 % of the production size the measured throughput is dominated by fixed costs; compare "
        "with the restore tests' throughput in the backup review before relying on this projection."
    ),
    # Fail-back
    "drill.sec.failback": "Fail-back to the primary",
    "drill.no_failback": "No fail-back recorded yet: the temporary environment may still serve users.",
    "drill.ui.temporary": "Temporary environment",
    "drill.temporary_value": "served from {start} to {end}; {beats} heartbeats committed there",
    "drill.ui.downtime": "Users out of service",
    "drill.downtime_value": "{start} to {end} ({seconds})",
    "drill.ui.final_wal": "Final WAL of the temporary environment",
    "drill.final_wal_value": "{segment} (up to {lsn})",
    "drill.ui.backup_after": "Backup started afterwards",
    "drill.failback_why": (
        "The primary was restored from the backup repository to the end of the temporary environment's "
        "timeline rather than streamed from it: the same restore the monthly tests prove, no replication "
        "access between the spare and the primary, and every WAL segment of the temporary period is in the "
        "repository before the primary starts."
    ),
    "drill.chart.failback": "Phases of the fail-back",
    "drill.chart.failback_alt": "Timeline of the {count} phases of the fail-back",
    "drill.ui.rows": "Rows",
    "drill.ui.spare_sum": "Checksum on the spare",
    "drill.ui.primary_sum": "Checksum on the primary",
    "drill.equal": "equal",
    "drill.differ": "DIFFERENT",
    # Sign-off and footer
    "drill.ui.signature": "Sign-off",
    "drill.ui.drill_lead": "Drill lead",
    "drill.ui.om_manager": "O&M manager",
    "drill.ui.sign_date": "Date",
    "drill.footer": "Generated by medops {version} at {generated} from {record}.",
}

ZH_CN: dict[str, str] = {
    "drill.title": "灾难恢复演练",
    "drill.title_incident": "灾难恢复记录",
    "drill.subtitle": "{system}，{environment} 环境，{date}",
    "drill.intro": (
        "当 {system} 的生产数据库无法及时修复时，在备用主机上从备份仓库重建临时环境，并在恢复时间目标"
        "（{rto}）内恢复对用户服务；已提交数据的丢失不得超过恢复点目标（{rpo}）。主库修复或更换后，回切"
        "须带回临时环境期间写入的每一行数据。本报告列出本次记录的实测结果。"
    ),
    "drill.kind.drill": "演练",
    "drill.kind.incident": "真实故障",
    "drill.outcome.success": "成功",
    "drill.outcome.failed": "失败",
    "drill.outcome.refused": "已拒绝",
    "drill.outcome.running": "未完成",
    "drill.met": "达标",
    "drill.missed": "未达标",
    "drill.not_judged": "未评判",
    "drill.not_measured": "未测量",
    "drill.not_yet": "尚未进行",
    "drill.seconds": "{value} 秒",
    "drill.rto_from.failure": "（自故障起）",
    "drill.rto_from.rebuild": "（自重建开始起，未记录故障时间）",
    "drill.target.latest": "最新（WAL 归档末尾）",
    "drill.target.time": "时间点 {value}",
    "drill.target.name": "还原点 {value}",
    "drill.phase.checks": "检查",
    "drill.phase.base": "基线",
    "drill.phase.postgresql": "PostgreSQL（恢复模式）",
    "drill.phase.pgbackrest": "pgBackRest 配置",
    "drill.phase.restore": "还原",
    "drill.phase.recovery": "WAL 重放与提升",
    "drill.phase.app": "应用",
    "drill.phase.nginx": "nginx 配置",
    "drill.phase.verify": "验证",
    "drill.phase.maintenance": "开启维护页",
    "drill.phase.final_wal": "归档最后的 WAL",
    "drill.phase.primary": "准备主库主机",
    "drill.phase.in_service": "应用回到主库",
    "drill.phase.spare": "备用主机恢复备用状态",
    "drill.phase.backup": "启动备份",
    "drill.h.title": "演练 {id}（{environment}）：重建{outcome}，用时 {seconds}",
    "drill.h.refused": "  已拒绝：{reasons}",
    "drill.h.failure": "  失败：{failure}",
    "drill.h.rto": "  RTO：{measured}{origin}恢复服务（目标 {objective}：{result}）",
    "drill.h.rpo": "  RPO：{measured}（目标 {objective}：{result}）；还原后最新心跳 {heartbeat}",
    "drill.h.restore": (
        "  还原：{backup}，{size}，用时 {seconds}（{rate}/秒），重放 {segments} 个 WAL 段（{wal}）"
    ),
    "drill.h.projection": "  按 {gb} GiB 推算：{total}（RTO {objective}：{result}）",
    "drill.h.projection_indicative": (
        "  按 {gb} GiB 推算：{total}（RTO {objective}；仅供参考：实测数据量仅为该规模的 {share}）"
    ),
    "drill.h.failback": "  回切：{outcome}，用时 {seconds}，用户停服 {downtime}；{tables} 张表：{checksums}",
    "drill.h.no_failback": "  回切：尚未进行",
    "drill.sec.summary": "摘要",
    "drill.fig.rto": "恢复时间（RTO）",
    "drill.fig.rpo": "数据丢失（RPO）",
    "drill.fig.projection": "按生产规模推算的重建时间",
    "drill.fig.checksums": "回切后临时环境期间的数据",
    "drill.fig.downtime": "回切期间用户停服时间",
    "drill.rto_value": "{seconds}{origin}",
    "drill.projection_value": "{gb} GiB 需 {seconds}",
    "drill.checksums_value": "{tables} 张表中 {equal} 张两端一致",
    "drill.checksums_expected": "每张表一致",
    "drill.checksums_equal": "两端校验和一致",
    "drill.checksums_differ": "校验和不一致",
    "drill.ui.figure": "指标",
    "drill.ui.measured": "实测",
    "drill.ui.objective": "目标",
    "drill.ui.result": "结果",
    "drill.ui.system": "系统",
    "drill.ui.environment": "环境",
    "drill.ui.kind": "类型",
    "drill.ui.failed_at": "故障时间",
    "drill.ui.hosts": "主机",
    "drill.hosts_value": "主库 {primary}，备用主机 {spare}，备份仓库 {repository}",
    "drill.ui.rebuild": "重建",
    "drill.ui.failback": "回切",
    "drill.sec.rebuild": "重建临时环境",
    "drill.ui.started": "开始",
    "drill.ui.finished": "结束",
    "drill.ui.duration": "用时",
    "drill.ui.outcome": "结果",
    "drill.ui.who": "执行人",
    "drill.ui.target": "恢复目标",
    "drill.ui.serving_at": "恢复服务时间",
    "drill.ui.release": "应用版本",
    "drill.release_value": "{version}（来源：{source}）",
    "drill.refusals": "在任何变更之前拒绝：{reasons}",
    "drill.failure": "失败：{failure}",
    "drill.ui.phase": "阶段",
    "drill.ui.start": "开始时间",
    "drill.ui.share": "占比",
    "drill.offset": "{time}（+{offset}）",
    "drill.chart.rebuild": "重建各阶段（实测）",
    "drill.chart.rebuild_alt": "重建 {count} 个实测阶段的时间线",
    "drill.chart.rebuild_note": "实测重建用去 RTO 预算（{budget}）的 {share}；预算超出本图坐标范围。",
    "drill.legend.measured": "实测",
    "drill.legend.projected": "推算（随数据库增长）",
    "drill.legend.failback": "回切",
    "drill.mark.failure": "故障",
    "drill.mark.serving": "{seconds}后恢复服务",
    "drill.mark.budget": "RTO 预算 {seconds}",
    "drill.mark.projected": "推算结束 {seconds}",
    "drill.mark.down": "停服",
    "drill.mark.back": "{seconds}后恢复",
    "drill.ui.backup": "所还原的备份",
    "drill.backup_value": "{label}（{type}，完成于 {stop}）",
    "drill.ui.restored": "还原量",
    "drill.restored_value": "{size}，用时 {seconds}，{processes} 个进程",
    "drill.ui.throughput": "还原吞吐量",
    "drill.rate_value": "{rate}/秒",
    "drill.ui.wal": "WAL 重放",
    "drill.wal_value": "{size}，{segments} 个段，{start} 至 {end}；当前时间线 {timeline}",
    "drill.ui.replay": "重放与提升",
    "drill.ui.archive_end": "最新归档 WAL",
    "drill.archive_end_yes": "已到达（{segment}）：归档中已提交的数据无遗漏",
    "drill.archive_end_no": "未到达（{segment}）：恢复在归档末尾之前停止",
    "drill.health": (
        "经 nginx 的健康检查：{status}；版本 {version}；数据库结构版本 {schema}（该版本要求 {expected}）。"
    ),
    "drill.rpo_note": (
        "还原后最新心跳：{heartbeat}（由 {source} 写入）；故障时间 {failure}；丢失数据：{seconds}。"
        "PostgreSQL 至少每 {archive_timeout} 切换一次 WAL，限定了丢失范围。"
    ),
    "drill.ui.database": "数据库",
    "drill.ui.table": "表",
    "drill.ui.known": "已知行数",
    "drill.ui.restored_rows": "还原后行数",
    "drill.rows_caption": "行数与最近已知值（{source}）比较；此后新增的行属正常",
    "drill.rows_caption_exact": "行数与同一还原点的已知值（{source}）比较",
    "drill.rows.missing": "表缺失",
    "drill.rows.new": "新表",
    "drill.rows.equal": "一致",
    "drill.rows.more": "行数增加",
    "drill.rows.fewer": "行数减少",
    "drill.sec.projection": "按生产数据库推算的重建时间",
    "drill.chart.projection": "{gb} GiB 的重建与 RTO 预算",
    "drill.chart.projection_alt": "按 {gb} GiB 推算的重建时间线及 RTO 预算",
    "drill.chart.projection_note": "推算重建 {total}：占 RTO 预算（{budget}）的 {share}。",
    "drill.projection_basis": (
        "还原阶段按实测吞吐量放大到 {gb} GiB（{restore}）；其余阶段取实测值。"
        "实验环境还原的数据量为该规模的 {share}。"
    ),
    "drill.projection_caveat": (
        "还原量不足生产规模的 10% 时，实测吞吐量主要受固定开销影响；"
        "采用此推算前，请与备份评审中还原测试的吞吐量对照。"
    ),
    "drill.sec.failback": "回切到主库",
    "drill.no_failback": "尚无回切记录：临时环境可能仍在对用户服务。",
    "drill.ui.temporary": "临时环境",
    "drill.temporary_value": "服务时间 {start} 至 {end}；期间提交心跳 {beats} 次",
    "drill.ui.downtime": "用户停服",
    "drill.downtime_value": "{start} 至 {end}（{seconds}）",
    "drill.ui.final_wal": "临时环境最后的 WAL",
    "drill.final_wal_value": "{segment}（至 {lsn}）",
    "drill.ui.backup_after": "回切后启动的备份",
    "drill.failback_why": (
        "主库从备份仓库还原到临时环境时间线的末尾，而不是从临时环境流复制：与每月还原测试验证的是同一还原过程，"
        "备用主机与主库之间无需复制权限，且主库启动前临时环境期间的每个 WAL 段都已在备份仓库中。"
    ),
    "drill.chart.failback": "回切各阶段",
    "drill.chart.failback_alt": "回切 {count} 个阶段的时间线",
    "drill.ui.rows": "行数",
    "drill.ui.spare_sum": "备用主机校验和",
    "drill.ui.primary_sum": "主库校验和",
    "drill.equal": "一致",
    "drill.differ": "不一致",
    "drill.ui.signature": "签字确认",
    "drill.ui.drill_lead": "演练负责人",
    "drill.ui.om_manager": "运维经理",
    "drill.ui.sign_date": "日期",
    "drill.footer": "由 medops {version} 于 {generated} 根据 {record} 生成。",
}
