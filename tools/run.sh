#!/usr/bin/env bash
# The main job, on built-in defaults: installs dependencies, builds the
# swapfuzz program (build/) and the libFuzzer targets (build-fuzz/), then runs
# a fuzzing campaign over every target on all cores, ending in a table of
# findings: signature, the catalogue bug whose knob explains it, time to first
# find, the minimized reproducer and how to replay it.
#
#   tools/run.sh                         # every target, 60 s each
#   tools/run.sh --targets zram --seconds 300 --out /tmp/campaign
#   tools/run.sh --help                  # the campaign's flags
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

case "${1:-}" in
  -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; echo; exec python3 tools/campaign.py --help ;;
esac

tools/deps.sh
tools/build.sh
tools/build.sh fuzz
exec python3 tools/campaign.py "$@"
