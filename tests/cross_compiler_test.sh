#!/usr/bin/env bash
# Determinism across compilers: the g++ build (build-gcc/, made by
# tools/test.sh or `tools/build.sh gcc`) must replay every regression to the
# finding and trace hash the clang build recorded, and run every fuzz target's
# seed corpus through its standalone replayer.
#
# Usage: tests/cross_compiler_test.sh <repository root>   (exit 77: skipped)
set -uo pipefail
root=$1
gcc_bin=$root/build-gcc/bin
if [ ! -x "$gcc_bin/swapfuzz" ]; then
  echo "cross_compiler_test: no g++ build in build-gcc/ (tools/build.sh gcc makes one)"
  exit 77
fi
status=0
n=0
for f in "$root"/corpus/regressions/*.json; do
  if ! out=$("$gcc_bin/swapfuzz" replay "$f" --verify 2>&1); then
    echo "cross_compiler_test: $f differs under g++:"; echo "$out"; status=1
  fi
  n=$((n + 1))
done
for replayer in "$gcc_bin"/*_replay; do
  target=$(basename "$replayer" _replay)
  [ -d "$root/corpus/$target" ] || continue
  "$replayer" "$root/corpus/$target" >/dev/null || { echo "cross_compiler_test: $target corpus failed"; status=1; }
done
[ $status = 0 ] && echo "cross_compiler_test: $n regressions replay identically under g++"
exit $status
