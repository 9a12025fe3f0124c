#!/usr/bin/env bash
# A fuzz target lives in one table, fuzz/targets.h; everything else reads it.
# This checks that every reader agrees with the swapfuzz program's
# `list-targets`: the targets CMake built a replayer for, the JSON listing,
# `swapfuzz help`, tools/campaign.py, tools/bench/time_to_bug.py, and that
# tools/oss-fuzz/build.sh and tools/campaign.py name no target themselves.
#
# Usage: tests/fuzz_targets_test.sh <swapfuzz> <bin dir> <repository root> <CMake's targets, comma-separated>
set -euo pipefail
cli=$1
bin=$2
root=$3
cmake_targets=$(tr ',' '\n' <<<"$4")
fail() { echo "fuzz_targets_test: $1"; exit 1; }

listed=$("$cli" list-targets --names)
[ -n "$listed" ] || fail "swapfuzz list-targets --names printed nothing"
[ "$listed" = "$cmake_targets" ] ||
  fail "list-targets ($(echo $listed)) differs from the targets CMake parsed ($(echo $cmake_targets))"
for t in $listed; do
  [ -x "$bin/${t}_replay" ] || fail "CMake built no ${t}_replay"
done

json=$("$cli" list-targets --json | python3 -c 'import json, sys; print("\n".join(t["name"] for t in json.load(sys.stdin)))')
[ "$json" = "$listed" ] || fail "list-targets --json names other targets: $json"

help=$("$cli" help | tr -s ' \n' '  ')
for t in $listed; do
  grep -q "$t" <<<"$help" || fail "swapfuzz help does not name target $t"
done

campaign=$(python3 "$root/tools/campaign.py" --list-targets --cli "$cli")
[ "$campaign" = "$listed" ] || fail "campaign.py would run other targets: $campaign"

python3 - "$root" "$cli" <<'PY' || fail "time_to_bug.py's bugs do not resolve against the program's tables"
import sys
sys.path.insert(0, sys.argv[1] + "/tools/bench")
import time_to_bug
setups = time_to_bug.setups(sys.argv[2], time_to_bug.catalogue_bugs(sys.argv[2]))
assert setups and all(s[3] for s in setups.values()), setups
PY

for t in $listed; do
  ! grep -qw -- "$t" "$root/tools/oss-fuzz/build.sh" || fail "tools/oss-fuzz/build.sh names target $t"
  ! grep -q -- "\"$t\"" "$root/tools/campaign.py" || fail "tools/campaign.py names target $t"
done
echo "fuzz_targets_test: $(echo $listed) agree everywhere"
