#!/usr/bin/env bash
# Run a long step with a start line and an end line carrying its elapsed time; exit status kept.
# Usage: scripts/timed.sh LABEL CMD...
#   ==> [2/5] test-postgres (23:41:07)
#   ==> [2/5] test-postgres: passed in 4 min 12 s
set -uo pipefail
label=$1
shift
echo "==> $label ($(date +%H:%M:%S))"
start=$SECONDS
"$@"
status=$?
elapsed=$((SECONDS - start))
if [ "$elapsed" -ge 60 ]; then took="$((elapsed / 60)) min $((elapsed % 60)) s"; else took="$elapsed s"; fi
if [ "$status" -eq 0 ]; then
  echo "==> $label: done in $took"
else
  echo "==> $label: FAILED (exit $status) after $took"
fi
exit "$status"
