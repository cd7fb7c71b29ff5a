#!/usr/bin/env bash
# Vault password client of the estate scenario (molecule.yml: ANSIBLE_VAULT_IDENTITY_LIST).
# Prints the scenario's throwaway vault password, made by prepare.yml in molecule's ephemeral
# folder. Before prepare has run (molecule's syntax and create steps) it prints a value that opens
# nothing: no vault value exists yet.
password="${MOLECULE_EPHEMERAL_DIRECTORY:-/nonexistent}/vault-pass"
if [ -r "$password" ]; then
  cat "$password"
else
  echo "estate-vault-not-made-yet-run-molecule-prepare"
fi
