"""Every label a report shows, in English and Simplified Chinese: one dictionary per language.

Both dictionaries hold the same keys (tests/test_report.py checks it). Values are `str.format` templates;
`render` fills them from a `Msg`'s parameters, formatting durations (`*_seconds`) and sizes (`*_bytes`) in
the language's own words, translating parameters that are label keys themselves (`*_label`) and wording
parameters that are a `Msg` themselves in the same language.

The inspection's labels (`insp.*`) live in `medops.report.labels_inspect`, the drill report's (`drill.*`) in
`medops.report.labels_drill`; both join the two dictionaries here.
"""

# The Chinese labels use full-width punctuation, as Chinese text should.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Mapping

from medops.report.labels_configinv import EN as CONFIGINV_EN
from medops.report.labels_configinv import ZH_CN as CONFIGINV_ZH_CN
from medops.report.labels_drift import EN as DRIFT_EN
from medops.report.labels_drift import ZH_CN as DRIFT_ZH_CN
from medops.report.labels_drill import EN as DRILL_EN
from medops.report.labels_drill import ZH_CN as DRILL_ZH_CN
from medops.report.labels_inspect import EN as INSPECT_EN
from medops.report.labels_inspect import ZH_CN as INSPECT_ZH_CN
from medops.report.messages import Msg

LANGS = ("en", "zh-CN")

EN: dict[str, str] = {
    # Severities, backup types, outcomes
    "severity.ok": "OK",
    "severity.warning": "Warning",
    "severity.critical": "Critical",
    "type.full": "full",
    "type.diff": "differential",
    "type.incr": "incremental",
    "outcome.passed": "passed",
    "outcome.failed": "failed",
    # Units
    "unit.days": "{n} d",
    "unit.hours": "{n} h",
    "unit.minutes": "{n} min",
    "unit.seconds": "{n} s",
    # The review document
    "review.title": "Semiannual backup policy review",
    "review.subtitle": "{environment} estate, {date}",
    "ui.environment": "Environment",
    "ui.date": "Date",
    "ui.as_of": "Ages measured at",
    "ui.owner": "Policy owner",
    "ui.version": "Policy version",
    "ui.last_review": "Previous review",
    "ui.next_due": "Next review due",
    "ui.result": "Overall result",
    "ui.counts": "Findings",
    "ui.counts_value": "{critical} critical, {warning} warning, {ok} OK",
    "ui.summary": "Summary",
    "ui.summary_intro": (
        "This review compares the backup policy of the {environment} estate with what the pgBackRest "
        "repository and the restore-test records show. Each finding gives the measured value, what the "
        "policy expects and what to do."
    ),
    "ui.policy_findings": "The policy as a whole",
    "ui.review_history": "Review history",
    "ui.reviewer": "Reviewer",
    "ui.review_summary": "Summary",
    "ui.system": "System",
    "ui.check": "Check",
    "ui.severity": "Result",
    "ui.measured": "Measured",
    "ui.expected": "Expected",
    "ui.recommendation": "Recommendation",
    "ui.findings": "Findings",
    "ui.policy": "Policy",
    "ui.rto": "RTO",
    "ui.rpo": "RPO",
    "ui.db_estimate": "Database size estimate",
    "ui.schedule": "Schedule (OnCalendar)",
    "ui.schedule_value": (
        "full {full}; differential {diff}; incremental {incr}; verify {verify}; restore test {restore_test}"
    ),
    "ui.retention": "Retention",
    "ui.retention_value": "{full} full, {diff} differential; WAL kept for {archive_full} full",
    "ui.files": "File backup (restic)",
    "ui.files_value": "{paths}; {schedule}; keep {daily} daily, {weekly} weekly, {monthly} monthly",
    "ui.repository": "Repository",
    "ui.repository_value": (
        "{cipher}; {compress} level {level}; {backup} backup and {restore} restore processes"
    ),
    "ui.backups": "Backups in the repository",
    "ui.type": "Type",
    "ui.newest": "Newest",
    "ui.age": "Age",
    "ui.duration": "Duration",
    "ui.db_size": "Database size",
    "ui.repo_size": "Backup size (repository)",
    "ui.count": "Count",
    "ui.wal": "WAL archive",
    "ui.wal_continuity": "WAL continuity",
    "ui.continuous": "continuous",
    "ui.broken": "broken",
    "ui.not_judged": "Backup checks were not judged: the stanza's status is not ok.",
    "ui.stanza_missing": "The repository has no stanza named {stanza}.",
    "ui.restore_tests": "Restore tests since the previous review",
    "ui.started": "Started",
    "ui.backup_label": "Backup",
    "ui.size": "Size",
    "ui.outcome": "Outcome",
    "ui.detail": "Detail",
    "ui.no_restore_tests": "No restore test recorded since {since}.",
    "ui.chart_title": "Backup size and duration per backup: {stanza}",
    "ui.chart_alt": (
        "Bar chart of {count} backups of {stanza}, oldest first: size in the repository and duration."
    ),
    "ui.chart_none": "No backups to chart.",
    "ui.signature": "Sign-off",
    "ui.reviewed_by": "Reviewed by",
    "ui.sign_date": "Date",
    "ui.signature_line": "Signature",
    "ui.none": "none",
    "ui.footer": (
        "Generated by medops {version} at {generated}. Sources: pgBackRest info, {records}, {policy}."
    ),
    # Checks
    "check.stanza_status": "Stanza status",
    "check.full_age": "Newest full backup",
    "check.diff_age": "Newest differential backup",
    "check.incr_age": "Newest incremental backup",
    "check.retention_full": "Full backups kept",
    "check.retention_diff": "Differential backups kept",
    "check.backup_errors": "Backups with errors",
    "check.wal": "WAL continuity",
    "check.rpo": "Recovery point objective (RPO)",
    "check.size": "Database size",
    "check.restore_tests": "Restore tests",
    "check.rto": "Recovery time objective (RTO)",
    "check.reviews": "Policy reviews",
    "check.unmanaged_stanza": "Stanza outside the policy",
    "check.records": "Restore-test records",
    # Measured and expected values
    "msg.age": "{age_seconds} ago ({label})",
    "msg.age_limit": "at most {limit_seconds} old (schedule {schedule}: longest gap {gap_seconds}, plus 50%)",
    "msg.none_found": "none in the repository",
    "msg.count": "{count}",
    "msg.count_young": "{count} (oldest backup {age_seconds} old; judged from {needed_seconds})",
    "msg.retention_full_expected": "{count} full backups (retention.full)",
    "msg.retention_diff_expected": "at most {count} differential backups (retention.diff)",
    "msg.zero": "0",
    "msg.error_labels": "{count}: {labels}",
    "msg.rpo_expected": "at most {rpo_seconds} of changes lost (policy RPO), by continuous WAL archiving",
    "msg.wal_expected": "every backup's WAL start and stop inside the archived range; stanza status ok",
    "msg.wal_status": "not judged: the stanza's status is not ok",
    "msg.wal_gaps": (
        "{count} backup(s) outside the archived WAL, e.g. {label}: WAL {wal}, archive {min} … {max}"
    ),
    "msg.wal_range": "archived WAL {min} … {max}",
    "msg.size": "{size_bytes} (newest full {label})",
    "msg.size_expected": "up to 1.5 x the estimate of {estimate_bytes}",
    "msg.restore_expected": (
        "a passed restore test per schedule {schedule}, the newest at most {limit_seconds} old"
    ),
    "msg.restore_never": "no restore test recorded",
    "msg.restore_window_none": "none since {since}; newest {date}: {outcome_label}",
    "msg.restore_counts": "{passed} passed, {failed} failed; newest {date}: {outcome_label}",
    "msg.rto_expected": "a restore well within {rto_seconds} (contract RTO): at most 75% of it",
    "msg.rto_unmeasured": "no passed restore test to measure",
    "msg.rto_measured": (
        "longest restore {duration_seconds} for {size_bytes}; projected {projected_seconds} for "
        "{estimate_bytes}"
    ),
    "msg.rto_measured_small": (
        "longest restore {duration_seconds} for {size_bytes}; not projected onto {estimate_bytes} "
        "(less than 10% of it restored)"
    ),
    "msg.status_expected": "0: ok",
    "msg.status": "{code}: {message}",
    "msg.stanza_missing": "no stanza {stanza} in the repository",
    "msg.reviews_none": "no review recorded",
    "msg.review_future": "a review is dated {date}, after today",
    "msg.review_overdue": "newest review {date}, {days} days ago",
    "msg.review_year": "{year}: {count} review(s) ({dates})",
    "msg.reviews_expected": "a review at least every 184 days and two in every calendar year",
    "msg.review_last": "last review {date} by {reviewer}; next due {next_due}",
    "msg.stanza_unmanaged": "stanza {stanza} is in the repository",
    "msg.stanza_listed": "every stanza is a system of the policy",
    "msg.record_invalid": "{problem}",
    "msg.record_valid": "records follow the schema (docs/backup-policy.md)",
    # Recommendations
    "rec.ok": "None.",
    "rec.age_none": (
        "No {kind_label} backup exists: check that its timer is enabled on the repository host and run one "
        "now."
    ),
    "rec.age_overdue": (
        "The newest {kind_label} backup is overdue: read the last run's log on the repository host, fix the "
        "cause and run one by hand."
    ),
    "rec.retention_over": (
        "More {kind_label} backups than the policy keeps: check the retention in pgbackrest.conf and that "
        "expire runs."
    ),
    "rec.retention_under": (
        "Fewer full backups than the policy keeps: find the missed full backups in the logs and check that "
        "nothing expires them early."
    ),
    "rec.retention_young": (
        "The repository is too young to hold every full backup the policy keeps; judge again later."
    ),
    "rec.backup_errors": (
        "pgBackRest found errors (usually page checksum errors) while copying: read the backup log, check "
        "the database for corruption, then take a new full backup of {stanza}."
    ),
    "rec.status": (
        "Run pgbackrest --stanza={stanza} check on the repository host and fix the error it reports before "
        "the next backup."
    ),
    "rec.wal": (
        "Point-in-time recovery across the gap is impossible: run pgbackrest --stanza={stanza} check, fix "
        "WAL archiving, then take a full backup."
    ),
    "rec.rpo": "Met by continuous WAL archiving; PostgreSQL's archive_timeout must stay at or below the RPO.",
    "rec.size_grown": (
        "The database has outgrown the policy's estimate: update database_size_gb, check the repository's "
        "free space and the projected restore time."
    ),
    "rec.restore_none": "Run a restore test now (docs/runbooks/backup-review.md) and record it.",
    "rec.restore_failed": (
        "The newest restore test failed: treat this system's backups as unproven until a restore passes; "
        "fix the cause and test again."
    ),
    "rec.restore_some_failed": (
        "A restore test failed since the previous review: record its cause and fix in this review's summary."
    ),
    "rec.restore_overdue": (
        "The newest restore test is older than its schedule allows: check the restore-test timer."
    ),
    "rec.rto_over": (
        "Restoring alone would exceed the RTO: raise process_max_restore, restore from faster storage, or "
        "agree a new RTO with the contract owner."
    ),
    "rec.rto_near": (
        "Restoring takes more than 75% of the RTO, leaving little time for the rest of the recovery: plan "
        "for faster restores."
    ),
    "rec.rto_unmeasured": "Run a restore test to measure the restore time against the RTO.",
    "rec.stanza_missing": (
        "Create the stanza (pgbackrest --stanza={stanza} stanza-create) or correct the system's name in the "
        "policy."
    ),
    "rec.reviews": "Hold the review and record it in the policy file (docs/backup-policy.md).",
    "rec.stanza_unmanaged": (
        "Add system {stanza} to the policy, or delete the stanza once its data is no longer needed "
        "(pgbackrest stanza-delete)."
    ),
    "rec.record_invalid": "Fix or move the record; the review ignores it.",
    # Patching: proposals and the yearly compliance status
    "patch.title": "Patch proposal",
    "patch.subtitle": "{environment} estate, proposal {id}",
    "patch.id": "Proposal",
    "patch.created": "Collected",
    "patch.created_by": "Planned by",
    "patch.hosts": "Hosts",
    "patch.packages": "Packages",
    "patch.security": "Security updates",
    "patch.hash": "Content hash (the approval quotes it)",
    "patch.reboot_hosts": "Reboot likely on",
    "patch.summary": "Summary",
    "patch.summary_intro": (
        "What each host would install, collected read-only (apt-get update and a simulated dist-upgrade). "
        "Approving this proposal approves exactly these versions on these hosts: the content hash covers "
        "every (host, package, version) and playbooks/patch.yml refuses to run when what the hosts have "
        "pending no longer matches it."
    ),
    "patch.host": "Host",
    "patch.os": "System",
    "patch.services": "Services to restart",
    "patch.reboot": "Reboot",
    "patch.removals": "Removals",
    "patch.package": "Package",
    "patch.from": "Installed",
    "patch.to": "Target",
    "patch.origin": "Origin",
    "patch.yes": "yes",
    "patch.no": "no",
    "patch.new": "(new)",
    "patch.likely": "likely",
    "patch.container": "container ({kind}): services restarted instead",
    "patch.nothing": "Nothing pending.",
    "patch.pid1": "PID 1 (systemd) maps files of updated packages: systemctl daemon-reexec.",
    "patch.services_none": "No running service maps files of the updated packages.",
    "patch.services_list": "Services restarted after the update: {services}.",
    "patch.removals_warning": (
        "apt would remove {packages}: medops never removes packages; resolve this by hand before approving."
    ),
    "patch.held_back": "{count} package(s) held back by apt (not part of this proposal).",
    "patch.approval": "Approval",
    "patch.approved_by": "Approved by (system owner)",
    "patch.change_id": "Change id",
    "patch.footer": "Generated by medops {version} at {generated}. Source: {source}.",
    "patch.status_title": "Patch compliance {year}",
    "patch.status_subtitle": "{environment} estate, as of {date}",
    "patch.status_intro": (
        "The O&M contract asks for two patch cycles per host and calendar year (one by 30 June, the second "
        "by 31 December), and no security update pending longer than {days} days. Ages count from the first "
        "plan that showed the update pending."
    ),
    "patch.cycles": "Cycles",
    "patch.cycles_value": "{count} of {required}",
    "patch.cycles_due": "Due by today",
    "patch.changes": "Changes",
    "patch.plan": "Newest plan",
    "patch.pending_security": "Security updates pending",
    "patch.overdue": "Older than {days} days",
    "patch.result": "Result",
    "patch.first_seen": "First seen",
    "patch.age_days": "Age (days)",
    "patch.pending_title": "Pending security updates",
    "patch.pending_none": "No security update pending in the newest plans.",
    "patch.problems": "Unreadable records",
}

ZH_CN: dict[str, str] = {
    "severity.ok": "正常",
    "severity.warning": "警告",
    "severity.critical": "严重",
    "type.full": "全量",
    "type.diff": "差异",
    "type.incr": "增量",
    "outcome.passed": "通过",
    "outcome.failed": "失败",
    "unit.days": "{n} 天",
    "unit.hours": "{n} 小时",
    "unit.minutes": "{n} 分钟",
    "unit.seconds": "{n} 秒",
    "review.title": "备份策略半年度评审",
    "review.subtitle": "{environment} 环境，{date}",
    "ui.environment": "环境",
    "ui.date": "日期",
    "ui.as_of": "时长计算基准时间",
    "ui.owner": "策略负责人",
    "ui.version": "策略版本",
    "ui.last_review": "上次评审",
    "ui.next_due": "下次评审截止日期",
    "ui.result": "总体结果",
    "ui.counts": "检查结果",
    "ui.counts_value": "严重 {critical} 项，警告 {warning} 项，正常 {ok} 项",
    "ui.summary": "摘要",
    "ui.summary_intro": (
        "本评审将 {environment} 环境的备份策略与 pgBackRest 备份存储库及恢复测试记录的实际情况进行对照。"
        "每项检查结果列出实测值、策略预期值和处理建议。"
    ),
    "ui.policy_findings": "策略整体",
    "ui.review_history": "评审记录",
    "ui.reviewer": "评审人",
    "ui.review_summary": "内容摘要",
    "ui.system": "系统",
    "ui.check": "检查项",
    "ui.severity": "结果",
    "ui.measured": "实测",
    "ui.expected": "预期",
    "ui.recommendation": "建议",
    "ui.findings": "检查结果",
    "ui.policy": "策略",
    "ui.rto": "恢复时间目标（RTO）",
    "ui.rpo": "恢复点目标（RPO）",
    "ui.db_estimate": "数据库大小估算",
    "ui.schedule": "计划（OnCalendar）",
    "ui.schedule_value": "全量 {full}；差异 {diff}；增量 {incr}；校验 {verify}；恢复测试 {restore_test}",
    "ui.retention": "保留策略",
    "ui.retention_value": "全量 {full} 个，差异 {diff} 个；WAL 保留至 {archive_full} 个全量备份",
    "ui.files": "文件备份（restic）",
    "ui.files_value": "{paths}；{schedule}；保留每日 {daily} 个、每周 {weekly} 个、每月 {monthly} 个",
    "ui.repository": "备份存储库",
    "ui.repository_value": (
        "{cipher}；{compress} 压缩级别 {level}；备份进程 {backup} 个，恢复进程 {restore} 个"
    ),
    "ui.backups": "存储库中的备份",
    "ui.type": "类型",
    "ui.newest": "最新备份",
    "ui.age": "距今",
    "ui.duration": "耗时",
    "ui.db_size": "数据库大小",
    "ui.repo_size": "备份大小（存储库）",
    "ui.count": "数量",
    "ui.wal": "WAL 归档",
    "ui.wal_continuity": "WAL 连续性",
    "ui.continuous": "连续",
    "ui.broken": "中断",
    "ui.not_judged": "备份集状态异常，未评判与备份相关的检查项。",
    "ui.stanza_missing": "存储库中没有名为 {stanza} 的备份集。",
    "ui.restore_tests": "上次评审以来的恢复测试",
    "ui.started": "开始时间",
    "ui.backup_label": "备份",
    "ui.size": "大小",
    "ui.outcome": "结果",
    "ui.detail": "详情",
    "ui.no_restore_tests": "自 {since} 以来没有恢复测试记录。",
    "ui.chart_title": "每次备份的大小与耗时：{stanza}",
    "ui.chart_alt": "{stanza} 的 {count} 个备份的柱状图（按时间先后）：存储库中的大小与耗时。",
    "ui.chart_none": "没有可绘制的备份。",
    "ui.signature": "签字确认",
    "ui.reviewed_by": "评审人",
    "ui.sign_date": "日期",
    "ui.signature_line": "签名",
    "ui.none": "无",
    "ui.footer": "由 medops {version} 于 {generated} 生成。数据来源：pgBackRest info、{records}、{policy}。",
    "check.stanza_status": "备份集（stanza）状态",
    "check.full_age": "最新全量备份",
    "check.diff_age": "最新差异备份",
    "check.incr_age": "最新增量备份",
    "check.retention_full": "保留的全量备份",
    "check.retention_diff": "保留的差异备份",
    "check.backup_errors": "有错误的备份",
    "check.wal": "WAL 连续性",
    "check.rpo": "恢复点目标（RPO）",
    "check.size": "数据库大小",
    "check.restore_tests": "恢复测试",
    "check.rto": "恢复时间目标（RTO）",
    "check.reviews": "策略评审",
    "check.unmanaged_stanza": "策略之外的备份集",
    "check.records": "恢复测试记录",
    "msg.age": "{age_seconds}前（{label}）",
    "msg.age_limit": "不超过 {limit_seconds}（计划 {schedule}：最长间隔 {gap_seconds}，另加 50% 宽限）",
    "msg.none_found": "存储库中没有",
    "msg.count": "{count}",
    "msg.count_young": "{count}（最早的备份距今 {age_seconds}；满 {needed_seconds} 后评判）",
    "msg.retention_full_expected": "{count} 个全量备份（retention.full）",
    "msg.retention_diff_expected": "最多 {count} 个差异备份（retention.diff）",
    "msg.zero": "0",
    "msg.error_labels": "{count}：{labels}",
    "msg.rpo_expected": "最多丢失 {rpo_seconds} 的数据变更（策略 RPO），依靠连续 WAL 归档",
    "msg.wal_expected": "每个备份的 WAL 起止段都在已归档范围内；备份集状态正常",
    "msg.wal_status": "未评判：备份集状态异常",
    "msg.wal_gaps": "{count} 个备份的 WAL 不在归档范围内，例如 {label}：WAL {wal}，归档范围 {min} … {max}",
    "msg.wal_range": "已归档 WAL {min} … {max}",
    "msg.size": "{size_bytes}（最新全量备份 {label}）",
    "msg.size_expected": "不超过估算值 {estimate_bytes} 的 1.5 倍",
    "msg.restore_expected": "按计划 {schedule} 进行恢复测试并通过，最近一次距今不超过 {limit_seconds}",
    "msg.restore_never": "没有恢复测试记录",
    "msg.restore_window_none": "自 {since} 以来没有；最近一次 {date}：{outcome_label}",
    "msg.restore_counts": "通过 {passed} 次，失败 {failed} 次；最近一次 {date}：{outcome_label}",
    "msg.rto_expected": "恢复耗时明显低于 {rto_seconds}（合同 RTO）：不超过其 75%",
    "msg.rto_unmeasured": "没有可用于测量的、已通过的恢复测试",
    "msg.rto_measured": (
        "最长恢复耗时 {duration_seconds}（{size_bytes}）；按 {estimate_bytes} 推算需 {projected_seconds}"
    ),
    "msg.rto_measured_small": (
        "最长恢复耗时 {duration_seconds}（{size_bytes}）；恢复量不足 {estimate_bytes} 的 10%，不作推算"
    ),
    "msg.status_expected": "0：ok",
    "msg.status": "{code}：{message}",
    "msg.stanza_missing": "存储库中没有备份集 {stanza}",
    "msg.reviews_none": "没有评审记录",
    "msg.review_future": "有一条评审记录的日期 {date} 晚于今天",
    "msg.review_overdue": "最近一次评审为 {date}，已过去 {days} 天",
    "msg.review_year": "{year} 年：评审 {count} 次（{dates}）",
    "msg.reviews_expected": "至少每 184 天评审一次，且每个自然年至少两次",
    "msg.review_last": "上次评审 {date}，评审人 {reviewer}；下次截止 {next_due}",
    "msg.stanza_unmanaged": "存储库中有备份集 {stanza}",
    "msg.stanza_listed": "每个备份集都对应策略中的一个系统",
    "msg.record_invalid": "{problem}",
    "msg.record_valid": "记录符合规定格式（docs/backup-policy.md）",
    "rec.ok": "无需处理。",
    "rec.age_none": "没有{kind_label}备份：检查备份主机上对应的定时器是否已启用，并立即执行一次。",
    "rec.age_overdue": (
        "最新的{kind_label}备份已超期：查看备份主机上最近一次运行的日志，排除原因后手动执行一次。"
    ),
    "rec.retention_over": (
        "{kind_label}备份多于策略规定的数量：检查 pgbackrest.conf 中的保留设置以及 expire 是否执行。"
    ),
    "rec.retention_under": (
        "全量备份少于策略规定的数量：在日志中查找缺失的全量备份，并确认没有备份被提前清理。"
    ),
    "rec.retention_young": "存储库建立时间尚短，还容纳不下策略规定的全部全量备份；以后再评判。",
    "rec.backup_errors": (
        "pgBackRest 在复制时发现错误（通常是页校验和错误）：查看备份日志，检查数据库是否损坏，"
        "然后为 {stanza} 执行一次新的全量备份。"
    ),
    "rec.status": "在备份主机上运行 pgbackrest --stanza={stanza} check，并在下次备份前修复其报告的错误。",
    "rec.wal": (
        "无法跨越该缺口进行时间点恢复：运行 pgbackrest --stanza={stanza} check，修复 WAL 归档，"
        "然后执行一次全量备份。"
    ),
    "rec.rpo": "依靠连续 WAL 归档满足；PostgreSQL 的 archive_timeout 必须不大于 RPO。",
    "rec.size_grown": "数据库已超出策略中的估算：更新 database_size_gb，检查存储库剩余空间和推算的恢复时间。",
    "rec.restore_none": "立即进行一次恢复测试（docs/runbooks/backup-review.md）并记录结果。",
    "rec.restore_failed": (
        "最近一次恢复测试失败：在恢复测试通过之前，该系统的备份视为未经验证；排除原因后重新测试。"
    ),
    "rec.restore_some_failed": "上次评审以来有恢复测试失败：在本次评审摘要中记录失败原因和处理措施。",
    "rec.restore_overdue": "最近一次恢复测试超出计划允许的间隔：检查恢复测试定时器。",
    "rec.rto_over": (
        "仅恢复一项就会超出 RTO：提高 process_max_restore、改用更快的存储进行恢复，或与合同方商定新的 RTO。"
    ),
    "rec.rto_near": "恢复耗时超过 RTO 的 75%，留给其余恢复步骤的时间不足：规划更快的恢复方式。",
    "rec.rto_unmeasured": "进行一次恢复测试，对照 RTO 测量恢复耗时。",
    "rec.stanza_missing": (
        "创建该备份集（pgbackrest --stanza={stanza} stanza-create），或更正策略中的系统名称。"
    ),
    "rec.reviews": "进行评审，并在策略文件中记录（docs/backup-policy.md）。",
    "rec.stanza_unmanaged": (
        "将系统 {stanza} 加入策略，或在其数据不再需要后删除该备份集（pgbackrest stanza-delete）。"
    ),
    "rec.record_invalid": "修正或移走该记录；评审会忽略它。",
    "patch.title": "补丁方案",
    "patch.subtitle": "{environment} 环境，方案 {id}",
    "patch.id": "方案编号",
    "patch.created": "采集时间",
    "patch.created_by": "制定人",
    "patch.hosts": "主机",
    "patch.packages": "软件包",
    "patch.security": "安全更新",
    "patch.hash": "内容哈希（审批单须引用）",
    "patch.reboot_hosts": "可能需要重启的主机",
    "patch.summary": "摘要",
    "patch.summary_intro": (
        "以只读方式（apt-get update 与模拟 dist-upgrade）采集的各主机待安装更新。批准本方案即批准在这些主机上"
        "安装且仅安装这些版本：内容哈希覆盖每一组（主机、软件包、版本），主机上的待更新内容与之不符时，"
        "playbooks/patch.yml 拒绝执行。"
    ),
    "patch.host": "主机",
    "patch.os": "操作系统",
    "patch.services": "需重启的服务",
    "patch.reboot": "重启",
    "patch.removals": "将被删除",
    "patch.package": "软件包",
    "patch.from": "已安装版本",
    "patch.to": "目标版本",
    "patch.origin": "来源",
    "patch.yes": "是",
    "patch.no": "否",
    "patch.new": "（新安装）",
    "patch.likely": "可能",
    "patch.container": "容器（{kind}）：以重启服务代替",
    "patch.nothing": "没有待安装的更新。",
    "patch.pid1": "1 号进程（systemd）使用了被更新软件包的文件：执行 systemctl daemon-reexec。",
    "patch.services_none": "没有运行中的服务使用被更新软件包的文件。",
    "patch.services_list": "更新后重启的服务：{services}。",
    "patch.removals_warning": "apt 将删除 {packages}：medops 从不删除软件包；批准前请人工处理。",
    "patch.held_back": "apt 保留未升级 {count} 个软件包（不在本方案内）。",
    "patch.approval": "审批",
    "patch.approved_by": "批准人（系统负责人）",
    "patch.change_id": "变更编号",
    "patch.footer": "由 medops {version} 于 {generated} 生成。数据来源：{source}。",
    "patch.status_title": "{year} 年补丁合规情况",
    "patch.status_subtitle": "{environment} 环境，截至 {date}",
    "patch.status_intro": (
        "运维合同要求每台主机每个自然年完成两轮补丁（6 月 30 日前一轮，12 月 31 日前第二轮），且安全更新"
        "待安装时间不超过 {days} 天。待安装时间自首次出现在补丁方案中起计算。"
    ),
    "patch.cycles": "补丁轮次",
    "patch.cycles_value": "{count} / {required}",
    "patch.cycles_due": "截至今日应完成",
    "patch.changes": "变更",
    "patch.plan": "最近方案",
    "patch.pending_security": "待安装安全更新",
    "patch.overdue": "超过 {days} 天",
    "patch.result": "结果",
    "patch.first_seen": "首次发现",
    "patch.age_days": "天数",
    "patch.pending_title": "待安装的安全更新",
    "patch.pending_none": "最近的方案中没有待安装的安全更新。",
    "patch.problems": "无法读取的记录",
}

EN.update(INSPECT_EN)
ZH_CN.update(INSPECT_ZH_CN)
EN.update(DRIFT_EN)
ZH_CN.update(DRIFT_ZH_CN)
EN.update(CONFIGINV_EN)
ZH_CN.update(CONFIGINV_ZH_CN)
EN.update(DRILL_EN)
ZH_CN.update(DRILL_ZH_CN)

LABELS: Mapping[str, Mapping[str, str]] = {"en": EN, "zh-CN": ZH_CN}


def labels_for(lang: str) -> Mapping[str, str]:
    try:
        return LABELS[lang]
    except KeyError:
        raise ValueError(f"no labels for language {lang!r} (known: {', '.join(LANGS)})") from None


def duration(seconds: float, lang: str) -> str:
    """A duration in the two largest units that matter: '3 d 4 h', '5 h 12 min', '12 min', '45 s'."""
    words = labels_for(lang)
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts: list[str]
    if days:
        parts = [words["unit.days"].format(n=days)] + ([words["unit.hours"].format(n=hours)] if hours else [])
    elif hours:
        parts = [words["unit.hours"].format(n=hours)]
        parts += [words["unit.minutes"].format(n=minutes)] if minutes else []
    elif minutes:
        parts = [words["unit.minutes"].format(n=minutes)]
    else:
        parts = [words["unit.seconds"].format(n=secs)]
    return " ".join(parts)


def size(count: float) -> str:
    """Bytes in binary units, as pgBackRest counts them: '12.3 GiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def _param(name: str, value: object, lang: str) -> str:
    if isinstance(value, Msg):
        return render(value, lang)
    if name.endswith("_seconds") and isinstance(value, int | float):
        return duration(value, lang)
    if name.endswith("_bytes") and isinstance(value, int | float):
        return size(value)
    if name.endswith("_label") and isinstance(value, str):
        return labels_for(lang)[value]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render(message: Msg, lang: str) -> str:
    """Word a Msg in `lang`; a missing key or parameter is a bug and raises KeyError."""
    template = labels_for(lang)[message.key]
    return template.format(**{k: _param(k, v, lang) for k, v in message.params.items()})


def label(key: str, lang: str, **params: object) -> str:
    """A label with its parameters filled in (formatted like a Msg's)."""
    return render(Msg(key, params), lang)
