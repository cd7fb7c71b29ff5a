"""Vault files whose values are encrypted one by one (`!vault |` strings), as AWX needs (docs/secrets.md).

- `document`: pure text work: find the leaves of a YAML file and splice new values in, every other
  byte kept;
- `crypt`: the parts that call Ansible's vault code and read passwords;
- `edit`: `medops vault set`, `check` and `rekey` on a file, written atomically.
"""
