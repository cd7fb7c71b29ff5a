"""The lab: real systemd hosts in Docker containers on this machine, named as in inventory/lab."""
