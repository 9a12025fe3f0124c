#!/usr/bin/env bash
# The main job, on built-in defaults: installs dependencies, builds build/,
# then replays the seed-000 reproducer with its trace.
#
#   tools/run.sh          # run it
#   tools/run.sh --help   # this text
#
# Exit status: 0 when the finding reproduced (the replay exits 1 on a finding),
# 1 when the replay ran clean, any other status when something failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SCHEDULE=corpus/regressions/zram_free_notify_on_read.json
SWAPFUZZ=build/bin/swapfuzz

usage() { sed -n '2,9s/^# \{0,1\}//p' "$0"; }

case "${1:-}" in
  "") ;;
  -h|--help) usage; exit 0 ;;
  *) echo "run: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
esac

prepare() {
  tools/deps.sh
  tools/build.sh
}

# The job itself. A fuzzing campaign will replace this step.
replay_seed000() {
  if [[ ! -f "$SCHEDULE" ]]; then
    echo "run: $SCHEDULE is missing" >&2
    return 2
  fi
  if [[ ! -x "$SWAPFUZZ" ]]; then
    echo "run: $SWAPFUZZ was not built" >&2
    return 2
  fi
  echo "run: replaying $SCHEDULE: seed 000, zram free-notify on read (e914d8f00391) on its recorded profile;"
  echo "run: the replay exits 1 when the recorded finding reproduces"
  local rc=0
  "$SWAPFUZZ" replay "$SCHEDULE" --trace </dev/null || rc=$?
  case "$rc" in
    1) echo "run: finding reproduced (replay exit 1, as expected)"; return 0 ;;
    0) echo "run: the replay ran clean: the finding did NOT reproduce" >&2; return 1 ;;
    *) echo "run: the replay failed with exit status $rc" >&2; return "$rc" ;;
  esac
}

prepare
replay_seed000
