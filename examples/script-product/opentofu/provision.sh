#!/bin/sh
# Example (NOT run by Paved's tests): wrapping OpenTofu/Terraform for Paved's script driver.
#   provision.sh observe|create|update|delete     request as JSON on stdin, result on stdout
# One state per instance, in a workspace named after the instance's external name. Secrets
# arrive on stdin only and reach tofu as TF_VAR_* in this process's environment, never argv.
# Logs go to stderr: stdout carries only the JSON result. Exit 2 = bad input (permanent).
set -eu
TOFU=${TOFU:-tofu}
verb=$1
request=$(cat)
field() { printf '%s' "$request" | jq -r "$1"; }

name=$(field .instance.externalName)
case "$name" in *[!a-z0-9_]*|'') echo "bad external name" >&2; exit 2 ;; esac
cd "$(dirname "$0")/module"
export TF_IN_AUTOMATION=1 TF_INPUT=0
export TF_VAR_name="$name"
export TF_VAR_quota_mb="$(field '.instance.values.quotaMb // 100')"
export TF_VAR_password="$(field .secrets.password)"

$TOFU init -no-color >&2
$TOFU workspace select -or-create -no-color "$name" >&2

case "$verb" in
  observe)
    if [ -z "$($TOFU state list -no-color 2>/dev/null)" ]; then echo '{"exists": false}'; exit 0; fi
    # -detailed-exitcode: 0 = no changes, 2 = changes pending (drift), 1 = error.
    set +e; $TOFU plan -detailed-exitcode -no-color -lock-timeout=60s >&2; code=$?; set -e
    case $code in
      0) up=true ;; 2) up=false ;; *) exit 1 ;;
    esac
    $TOFU output -json | jq -c --argjson up "$up" '{exists: true, upToDate: $up, diff: (if $up then [] else ["tofu plan shows pending changes"] end), outputs: {name: .name.value, path: .path.value}}'
    ;;
  create|update)
    $TOFU apply -auto-approve -no-color -lock-timeout=60s >&2
    # Sensitive outputs come back through `output -json` too; print them only on stdout.
    $TOFU output -json | jq -c '{outputs: {name: .name.value, path: .path.value, username: .name.value, password: .password.value}}'
    ;;
  delete)
    if [ -n "$($TOFU state list -no-color 2>/dev/null)" ]; then $TOFU destroy -auto-approve -no-color -lock-timeout=60s >&2; fi
    $TOFU workspace select -no-color default >&2
    $TOFU workspace delete -no-color "$name" >&2 || true
    ;;
  *) echo "unknown verb $verb" >&2; exit 2 ;;
esac
