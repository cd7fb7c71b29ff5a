"""Patching: plans of pending updates, approvals, the patch records and the yearly compliance."""
