#!/usr/bin/env bash
# Vault password client of the estate scenario (molecule.yml: ANSIBLE_VAULT_IDENTITY_LIST).
# Prints the scenario's throwaway vault password, kept in molecule's ephemeral folder; the first call
# makes it, so every playbook of the scenario opens the vault prepare.yml writes (the canary).
set -euo pipefail
folder="${MOLECULE_EPHEMERAL_DIRECTORY:?the estate scenario's vault password lives in molecule's ephemeral folder}"
password="$folder/vault-pass"
if [ ! -s "$password" ]; then
  mkdir -p "$folder"
  umask 077
  head -c 30 /dev/urandom | base64 | tr -d '/+=\n' > "$password.tmp"
  mv "$password.tmp" "$password"
fi
cat "$password"
