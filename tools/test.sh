#!/usr/bin/env bash
# The tests: installs dependencies, builds build/ (RelWithDebInfo), runs ctest.
# Exits with ctest's status. Arguments go to ctest (e.g. -R executor).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/deps.sh
tools/build.sh
# The g++ build, for the cross-compiler determinism test (cross_compiler_trace_hash).
tools/build.sh gcc
# A per-test default timeout, so one hung test cannot eat the CI budget.
status=0
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300 "$@" || status=$?
exit "$status"
