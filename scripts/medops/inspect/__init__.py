"""The weekly inspection: gather from every host at once, judge against inventory thresholds, record, report.

Data flows one way (docs/runbooks/weekly-inspection.md):
targets (inventory) → collect (one round trip per host) → parse (pure) → evaluate (findings) → record
(records/inspections/<ISO week>.json) → trend and report (HTML, Markdown, JSON; English and Chinese).
"""
