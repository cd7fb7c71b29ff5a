"""medops inventory: the auditors' configuration inventory (snapshots, change history, static site)."""
