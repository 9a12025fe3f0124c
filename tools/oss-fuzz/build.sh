#!/bin/bash -eu
# Builds the swapfuzz fuzz targets inside OSS-Fuzz or ClusterFuzzLite.
#
# Uses the environment those builders set: $CC, $CXX, $CFLAGS, $CXXFLAGS (with
# the sanitizer and coverage flags), $LIB_FUZZING_ENGINE, $SRC, $WORK, $OUT.
# Abseil and cereal are built from $SRC/abseil-cpp and $SRC/cereal (cloned by
# the Dockerfile) so they get the same flags and libc++; where those are absent
# (tools/oss-fuzz/emulate.sh on a Debian machine) the system packages are used.

REPO=${SWAPFUZZ_SRC:-$SRC/swapfuzz}
DEPS=$WORK/deps
mkdir -p "$DEPS"

if [ -d "$SRC/abseil-cpp" ]; then
  cmake -S "$SRC/abseil-cpp" -B "$WORK/absl-build" -G Ninja \
    -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_STANDARD=20 \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
    -DABSL_PROPAGATE_CXX_STD=ON -DABSL_BUILD_TESTING=OFF \
    -DCMAKE_INSTALL_PREFIX="$DEPS"
  cmake --build "$WORK/absl-build" --target install
fi
if [ -d "$SRC/cereal" ]; then
  cmake -S "$SRC/cereal" -B "$WORK/cereal-build" -G Ninja -DJUST_INSTALL_CEREAL=ON \
    -DCMAKE_INSTALL_PREFIX="$DEPS"
  cmake --build "$WORK/cereal-build" --target install
fi

cmake -S "$REPO" -B "$WORK/swapfuzz-build" -G Ninja \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_PREFIX_PATH="$DEPS" \
  -DSWAPFUZZ_TESTS=OFF -DSWAPFUZZ_FUZZ=ON -DSWAPFUZZ_FUZZ_INSTRUMENT=OFF \
  -DSWAPFUZZ_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"

# Every fuzzer CMake defines (one per model target of fuzz/targets.h, and
# schedule_parser): the `fuzzers` target builds them all into bin/. Binaries
# left from an earlier build go first, so a target dropped from the table is
# not shipped (a reused $WORK, as in emulate.sh, only relinks).
rm -f "$WORK/swapfuzz-build/bin/"*_fuzzer
cmake --build "$WORK/swapfuzz-build" --target fuzzers
for fuzzer in "$WORK/swapfuzz-build/bin/"*_fuzzer; do
  f=$(basename "$fuzzer" _fuzzer)
  cp "$fuzzer" "$OUT/"
  if [ -d "$REPO/corpus/$f" ]; then
    (cd "$REPO/corpus/$f" && zip -q -r "$OUT/${f}_fuzzer_seed_corpus.zip" .)
  fi
  for ext in options dict; do
    if [ -f "$REPO/corpus/$f.$ext" ]; then cp "$REPO/corpus/$f.$ext" "$OUT/${f}_fuzzer.$ext"; fi
  done
done
