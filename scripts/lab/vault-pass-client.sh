#!/usr/bin/env bash
# Vault password client for the lab (ansible.cfg: vault_identity_list = lab@<this script>).
# Prints the lab's generated vault password (.lab/vault-pass, made by `make lab`). Before the lab
# exists it prints a value that opens nothing, so commands against other inventories still run
# and lab vault files fail with Ansible's "no vault secrets" error.
here=$(cd "$(dirname "$0")/../.." && pwd)
if [ -r "$here/.lab/vault-pass" ]; then
  cat "$here/.lab/vault-pass"
else
  echo "lab-vault-not-created-run-make-lab"
fi
