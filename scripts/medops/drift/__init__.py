"""medops drift: declared against actual configuration, per host (check mode, baseline, redaction)."""
