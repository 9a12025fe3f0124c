#!/usr/bin/env bash
# The determinism and compatibility soak, by hand: 10^6 decoded inputs per
# model fuzz target, each run twice, in the clang build (build/) and the g++
# build (build-gcc/); trace hashes compared within each build, across the two
# compilers, and against the digests stored before the re-layering
# (tools/soak/baseline-1e6.txt). Prints the divergence counts; exits 1 on any.
#
#   tools/soak/determinism.sh [INPUTS]    # default 1000000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
inputs=${1:-1000000}
[[ -x build/bin/determinism_soak ]] || tools/build.sh
[[ -x build-gcc/bin/determinism_soak ]] || tools/build.sh gcc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for dir in build build-gcc; do
  echo "determinism: $dir: $inputs inputs per target"
  "$dir/bin/determinism_soak" --inputs="$inputs" --block=10000 \
      --expect=tools/soak/baseline-1e6.txt >"$out/$dir.txt" || status=1
done
if cmp -s "$out/build.txt" "$out/build-gcc.txt"; then
  echo "determinism: clang and g++ agree on all $(wc -l <"$out/build.txt") blocks"
else
  echo "determinism: clang and g++ differ:"; diff "$out/build.txt" "$out/build-gcc.txt" | head; status=1
fi
exit $status
