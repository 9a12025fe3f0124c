#!/bin/bash
# Runs tools/oss-fuzz/build.sh here with OSS-Fuzz's environment emulated (no
# Docker on this machine), then smoke-runs every fuzzer it put in $OUT on its
# seed corpus, like OSS-Fuzz's check_build.
#
# Differences from the real builder: Debian's clang 14 and libstdc++ instead of
# a recent clang with libc++, and the system Abseil and cereal instead of
# source builds (build.sh builds those only when $SRC has them).
#
# Usage: tools/oss-fuzz/emulate.sh [workdir [swapfuzz]]
#   workdir: default a fresh temp dir; swapfuzz: the program that explains a
#   finding (a fuzzer's finding passes only if the catalogue explains it).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=${1:-$(mktemp -d)}
CLI=${2:-}
export SRC=$ROOT/src WORK=$ROOT/work OUT=$ROOT/out
mkdir -p "$SRC" "$WORK" "$OUT"
ln -sfn "$REPO" "$SRC/swapfuzz"

export CC=clang CXX=clang++ CCC=clang++
export SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c++
BASE="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
SAN="-fsanitize=address -fsanitize-address-use-after-scope -fsanitize=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr -fno-sanitize-recover=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr"
export CFLAGS="$BASE $SAN -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export UBSAN_OPTIONS=silence_unsigned_overflow=1

echo "emulate: building into $OUT"
bash "$REPO/tools/oss-fuzz/build.sh" > "$WORK/build.log" 2>&1 || {
  tail -30 "$WORK/build.log"; echo "emulate: build.sh failed"; exit 1; }

# kind FILE: a run's release, its finding's signature and the functions of
# its last 16 steps (a loop's, for a liveness finding), as one line.
kind() {
  "$CLI" replay "$1" --trace 2>/dev/null | awk '
    NR == 1 { for (i = 1; i < NF; i++) if ($i == "profile") release = $(i + 1); sub(/,$/, "", release) }
    /^FINDING/ { sig = $2 }
    /^ +[0-9]+ / { fn[n++ % 16] = $2 }
    END { for (i = 0; i < 16 && i < n; i++) print fn[i]; print "finding " sig; print "release " release }' |
    sort -u | tr '\n' ' '
}

# explained DIR: every reproducer in DIR is a bug of the catalogue
# (`swapfuzz explain` names a knob it needs) or an open question of its
# release (corpus/open-questions/: the same kind of finding, above). Needs
# the swapfuzz program, the second argument; without it no finding passes.
explained() {
  [ -n "$CLI" ] || return 1
  local found=0 f q open
  open=$(for q in "$REPO"/corpus/open-questions/*.json; do kind "$q"; echo; done)
  for f in "$1"/*.json; do
    [ -e "$f" ] || continue
    found=1
    "$CLI" explain "$f" 2>/dev/null | grep -q ': needs ' && continue
    grep -qxF "$(kind "$f")" <<< "$open" || return 1
  done
  [ "$found" = 1 ]
}

status=0
for fuzzer in "$OUT"/*_fuzzer; do
  name=$(basename "$fuzzer")
  seeds=$WORK/seeds-$name
  mkdir -p "$seeds"
  if [ -f "$OUT/${name}_seed_corpus.zip" ]; then
    (cd "$seeds" && unzip -q -o "$OUT/${name}_seed_corpus.zip")
  fi
  if [ -f "$OUT/$name.options" ] && ! grep -q '^\[libfuzzer\]' "$OUT/$name.options"; then
    echo "emulate: $name.options has no [libfuzzer] section"; status=1
  fi
  dict=()
  if [ -f "$OUT/$name.dict" ]; then dict=(-dict="$OUT/$name.dict"); fi
  # Smoke run: the seeds, then a short bounded fuzz. A findings-reporting
  # target aborts with exit code 1 only on a real finding. Only this run's
  # reproducers are judged.
  rm -rf "$WORK/findings-$name"
  if (cd "$WORK" && SWAPFUZZ_ARTIFACTS="$WORK/findings-$name" \
        "$fuzzer" -runs=2000 -seed=1 "${dict[@]}" "$seeds" > "$WORK/$name.log" 2>&1); then
    echo "emulate: $name ok"
  elif grep -q '^swapfuzz: FINDING' "$WORK/$name.log" &&
       ! grep -qE '^==[0-9]+==ERROR: |runtime error: ' "$WORK/$name.log" &&
       explained "$WORK/findings-$name"; then
    # A release's known bugs (the knobs its profile sets: the 5.16 and 6.3
    # seed kernels, and findings with no fix yet on the newer ones) and its
    # open questions can be found this soon; any other finding cannot.
    echo "emulate: $name ok ($(grep '^swapfuzz: FINDING' "$WORK/$name.log" | head -1))"
  else
    echo "emulate: $name FAILED"; tail -20 "$WORK/$name.log"; status=1
  fi
done
[ -n "$(ls "$OUT"/*_fuzzer 2>/dev/null)" ] || { echo "emulate: no fuzzers in $OUT"; status=1; }
exit $status
