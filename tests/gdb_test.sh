#!/usr/bin/env bash
# Real gdb, in batch mode: replay a regression with --break_at_step, stop at
# the hook, and check the machine state swapfuzz_dump_state() prints there.
#
# Usage: tests/gdb_test.sh <swapfuzz binary> <repository root>
set -euo pipefail
swapfuzz=$1
root=$2
schedule=$root/corpus/regressions/zram_free_notify_on_read.json
out=$(timeout 120 gdb -nx -batch \
  -ex 'break swapfuzz_step_hook' -ex run -ex 'call swapfuzz_dump_state()' -ex 'bt 2' \
  --args "$swapfuzz" replay "$schedule" --break_at_step=28 2>&1)

fail() { echo "gdb_test: $1"; echo "----- gdb output -----"; echo "$out"; exit 1; }
# Stopped at the hook, at the step asked for.
grep -q 'Breakpoint 1, swapfuzz_step_hook (step=28' <<<"$out" || fail "did not stop at step 28"
# The state is the moment before the second reader's read of the emptied slot:
grep -q '=== swapfuzz machine at step 28 ===' <<<"$out" || fail "no state dump"
grep -q 'offset  1: swap_map count 1|HC gen 1, swap cache page 1, zram empty' <<<"$out" ||
  fail "swap_map / swap cache / zram state not as expected"
grep -q 'cpu 1 tid 2 mm 0: op 0/1 (read)' <<<"$out" || fail "cpu 1 position missing"
grep -q 'swap_readpage@kStart offset 1 page 2' <<<"$out" || fail "cpu 1 call stack missing"
grep -q 'page 2: data 0 ref 1 map 0 locked (locked by cpu 1)' <<<"$out" || fail "page lock owner"
grep -q 'swapfuzz::Executor::Run' <<<"$out" || fail "no backtrace into the executor"
# The replay prints the gdb command line that gets there.
grep -q "to stop before step 28: gdb -ex 'break swapfuzz_step_hook' -ex run --args" <<<"$out" ||
  fail "no gdb command line printed"
echo "gdb_test: stopped at step 28 and read the machine state"
