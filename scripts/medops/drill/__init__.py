"""Disaster recovery: drill records (dr-rebuild, dr-failback) and their report."""
