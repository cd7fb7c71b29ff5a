"""The drift report's labels (`drift.*`), in English and Simplified Chinese; medops.report.labels merges them
into its two dictionaries, and its rules apply (same keys and parameters in both, full-width Chinese
punctuation).
"""

# ruff: noqa: RUF001

from __future__ import annotations

EN: dict[str, str] = {
    "drift.title": "Configuration drift report",
    "drift.subtitle": "{environment} estate, {date}",
    "drift.ui.environment": "Environment",
    "drift.ui.generated": "Checked at",
    "drift.ui.playbook": "Declared by",
    "drift.ui.limit": "Hosts checked",
    "drift.ui.result": "Result",
    "drift.ui.result_none": "No drift: every host is as declared",
    "drift.ui.result_drift": "Drift on {count} host(s)",
    "drift.ui.result_incomplete": "Incomplete: {count} host(s) could not be fully checked",
    "drift.ui.summary": "Summary",
    "drift.ui.intro": (
        "Declared against actual, per host. First what Ansible would change if site.yml ran now (check mode "
        "with diffs); then what Ansible does not manage but should not be there: packages beyond the "
        "declared baseline, listening ports no role declares, login-capable or sudo accounts not in the "
        "inventory, enabled units nobody declares, and changed files of installed packages under /etc. "
        "Secrets (every vault_* value) are redacted."
    ),
    "drift.ui.host": "Host",
    "drift.ui.groups": "Groups",
    "drift.ui.status": "Status",
    "drift.ui.changes": "Ansible would change",
    "drift.ui.unmanaged": "Not managed, not declared",
    "drift.ui.blind": "Not checked in check mode",
    "drift.status.clean": "as declared",
    "drift.status.drift": "drift",
    "drift.status.incomplete": "incomplete",
    "drift.ui.would_change": "What Ansible would change",
    "drift.ui.no_changes": "Ansible would change nothing on this host.",
    "drift.ui.role": "Role",
    "drift.ui.task": "Task",
    "drift.ui.item": "Item or file",
    "drift.ui.diff": "Diff: {role} / {task} {item}",
    "drift.ui.censored": "The task runs with no_log: what would change is not shown.",
    "drift.ui.no_diff": "The task reports a change without a diff.",
    "drift.ui.handlers": "Handlers the changes would run: {handlers}",
    "drift.ui.fact_only": (
        "The local fact would only get a newer version stamp: the host was last converged from an "
        "older checkout; nothing else differs."
    ),
    "drift.ui.not_managed": "Not managed by Ansible and not declared",
    "drift.ui.no_findings": "Nothing undeclared on this host.",
    "drift.ui.kind": "Kind",
    "drift.ui.subject": "What",
    "drift.ui.detail": "Seen",
    "drift.ui.action": "What to do",
    "drift.ui.failed": "The check of this host is incomplete",
    "drift.ui.failure": "Failure",
    "drift.kind.change": "change",
    "drift.kind.package": "package",
    "drift.kind.port": "listening port",
    "drift.kind.user": "account",
    "drift.kind.unit": "enabled unit",
    "drift.kind.file": "changed package file",
    "drift.act.change": (
        "Find out who changed it and why (journal, ARA run history). Either run site.yml to restore the "
        "declared state, or declare the change in the inventory or role and commit it."
    ),
    "drift.act.package": (
        "Remove it (apt-get purge) or declare it: a role's package list, or drift_allowed_packages with a "
        "reason."
    ),
    "drift.act.port": (
        "Stop the program and find out what started it, or declare the port in a role or firewall rule."
    ),
    "drift.act.user": (
        "Lock or remove the account and review what it did; or add it to base_admin_users through a change."
    ),
    "drift.act.unit": "Disable it (systemctl disable --now) or declare it in a role.",
    "drift.act.file": (
        "Compare with the package's file (apt-get download; dpkg-deb -x) and restore it, or manage the file "
        "in a role."
    ),
    "drift.ui.blind_title": "What check mode cannot see",
    "drift.ui.blind_intro": (
        "Check mode asks each task what it would do without doing it. Some tasks cannot answer: commands and "
        "shell steps that only run for real, modules without check-mode support, and tasks that depend on "
        "the result of an earlier task that check mode did not run (a package not yet installed, a "
        "certificate not yet made). Their effect is not in this report. A task that runs with no_log shows "
        "that it would change, never what. The host-side checks (packages, ports, accounts, units, files) "
        "run for real and are not affected."
    ),
    "drift.ui.blind_none": "Every task answered in check mode.",
    "drift.ui.reason": "Why",
    "drift.ui.too_short": (
        "These vault values are shorter than 6 characters and were not redacted (they would match ordinary "
        "text): {names}. Lengthen them."
    ),
    "drift.ui.problems": "Problems reading the hosts: {problems}",
    "drift.ui.footer": (
        "Generated by medops {version} at {generated}; declared state: {playbook} and the inventory "
        "{inventory}; actual state: one read-only collection per host. Runbook: docs/runbooks/drift.md."
    ),
    "drift.ui.ara": "Run history (ARA)",
}

ZH_CN: dict[str, str] = {
    "drift.title": "配置漂移报告",
    "drift.subtitle": "{environment} 环境，{date}",
    "drift.ui.environment": "环境",
    "drift.ui.generated": "检查时间",
    "drift.ui.playbook": "声明来源",
    "drift.ui.limit": "检查的主机",
    "drift.ui.result": "结果",
    "drift.ui.result_none": "无漂移：每台主机都与声明一致",
    "drift.ui.result_drift": "{count} 台主机有漂移",
    "drift.ui.result_incomplete": "不完整：{count} 台主机未能完整检查",
    "drift.ui.summary": "摘要",
    "drift.ui.intro": (
        "逐台主机对照声明状态与实际状态。"
        "先列出现在运行 site.yml 时 Ansible 会改动的内容（检查模式，含差异）；"
        "再列出 Ansible 不管理但不应存在的内容：超出声明基线的软件包、没有角色声明的监听端口、"
        "清单之外可登录或有 sudo 权限的账户、无人声明的已启用单元，以及 /etc 下已安装软件包被改动的文件。"
        "所有 vault_* 的值均已脱敏。"
    ),
    "drift.ui.host": "主机",
    "drift.ui.groups": "分组",
    "drift.ui.status": "状态",
    "drift.ui.changes": "Ansible 将改动",
    "drift.ui.unmanaged": "未管理且未声明",
    "drift.ui.blind": "检查模式未检查",
    "drift.status.clean": "与声明一致",
    "drift.status.drift": "有漂移",
    "drift.status.incomplete": "不完整",
    "drift.ui.would_change": "Ansible 将改动的内容",
    "drift.ui.no_changes": "Ansible 不会改动这台主机上的任何内容。",
    "drift.ui.role": "角色",
    "drift.ui.task": "任务",
    "drift.ui.item": "条目或文件",
    "drift.ui.diff": "差异：{role} / {task} {item}",
    "drift.ui.censored": "该任务以 no_log 运行：不显示将改动的内容。",
    "drift.ui.no_diff": "该任务报告有改动，但没有差异信息。",
    "drift.ui.handlers": "这些改动会触发的处理程序：{handlers}",
    "drift.ui.fact_only": "本地事实只会更新版本标记：该主机上次由较旧的代码检出收敛；其余均无差异。",
    "drift.ui.not_managed": "未由 Ansible 管理且未声明的内容",
    "drift.ui.no_findings": "这台主机上没有未声明的内容。",
    "drift.ui.kind": "类别",
    "drift.ui.subject": "对象",
    "drift.ui.detail": "实际情况",
    "drift.ui.action": "处理方法",
    "drift.ui.failed": "这台主机的检查不完整",
    "drift.ui.failure": "失败原因",
    "drift.kind.change": "改动",
    "drift.kind.package": "软件包",
    "drift.kind.port": "监听端口",
    "drift.kind.user": "账户",
    "drift.kind.unit": "已启用单元",
    "drift.kind.file": "被改动的软件包文件",
    "drift.act.change": (
        "查明是谁、为何改动（日志、ARA 运行记录）。要么运行 site.yml 恢复声明状态，"
        "要么在清单或角色中声明该改动并提交。"
    ),
    "drift.act.package": (
        "删除它（apt-get purge），或声明它：写入角色的软件包列表，或写入 drift_allowed_packages 并说明原因。"
    ),
    "drift.act.port": "停止该程序并查明是什么启动了它，或在角色或防火墙规则中声明该端口。",
    "drift.act.user": "锁定或删除该账户并审查其操作；或通过变更将其加入 base_admin_users。",
    "drift.act.unit": "禁用它（systemctl disable --now），或在角色中声明。",
    "drift.act.file": (
        "与软件包中的原文件比较（apt-get download；dpkg-deb -x）并恢复，或改由角色管理该文件。"
    ),
    "drift.ui.blind_title": "检查模式看不到的内容",
    "drift.ui.blind_intro": (
        "检查模式询问每个任务会做什么，但并不真正执行。"
        "有些任务无法回答：只有真正执行才会运行的命令和 shell 步骤、"
        "不支持检查模式的模块，以及依赖于检查模式未执行的前序任务结果的任务（尚未安装的软件包、尚未生成的证书）。"
        "它们的影响不在本报告中。以 no_log 运行的任务只显示会有改动，不显示改动内容。"
        "主机侧检查（软件包、端口、账户、单元、文件）是真实执行的，不受影响。"
    ),
    "drift.ui.blind_none": "每个任务都在检查模式下给出了结果。",
    "drift.ui.reason": "原因",
    "drift.ui.too_short": "以下 vault 值短于 6 个字符，未做脱敏（会误匹配普通文本）：{names}。请加长。",
    "drift.ui.problems": "读取主机时的问题：{problems}",
    "drift.ui.footer": (
        "由 medops {version} 于 {generated} 生成；声明状态：{playbook} 与清单 {inventory}；"
        "实际状态：每台主机一次只读采集。操作手册：docs/runbooks/drift.md。"
    ),
    "drift.ui.ara": "运行记录（ARA）",
}
