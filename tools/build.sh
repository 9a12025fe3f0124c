#!/usr/bin/env bash
# Configures and builds swapfuzz with clang++ and Ninja, on every core.
#
#   tools/build.sh            # RelWithDebInfo into build/
#   tools/build.sh release    # Release into build/
#   tools/build.sh debug      # Debug into build/
#   tools/build.sh asan       # RelWithDebInfo + ASan/UBSan into build-asan/
#   tools/build.sh gcc        # g++, RelWithDebInfo, no tests, into build-gcc/
#   tools/build.sh fuzz       # the libFuzzer targets, Release, into build-fuzz/
#   tools/build.sh fuzz-sancov  # the same with C++ coverage of model/ too, into build-fuzz-sancov/
#   tools/build.sh fuzz-asan  # the libFuzzer targets with ASan/UBSan, into build-fuzz-asan/
#
# Any further arguments go to the cmake configure step (e.g. -DSWAPFUZZ_TESTS=OFF).
# Programs land in <build dir>/bin/. Dependencies: tools/deps.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kind=${1:-default}
compiler=clang++
(($# > 0)) && shift
case "$kind" in
  default)        dir=build;      args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWAPFUZZ_SANITIZE=OFF) ;;
  release)        dir=build;      args=(-DCMAKE_BUILD_TYPE=Release -DSWAPFUZZ_SANITIZE=OFF) ;;
  debug)          dir=build;      args=(-DCMAKE_BUILD_TYPE=Debug -DSWAPFUZZ_SANITIZE=OFF) ;;
  asan)           dir=build-asan; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWAPFUZZ_SANITIZE=ON) ;;
  gcc)            dir=build-gcc; compiler=g++
                  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWAPFUZZ_SANITIZE=OFF -DSWAPFUZZ_TESTS=OFF) ;;
  fuzz)           dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=Release -DSWAPFUZZ_FUZZ=ON -DSWAPFUZZ_SANITIZE=OFF
                        -DSWAPFUZZ_TESTS=OFF) ;;
  fuzz-sancov)    dir=build-fuzz-sancov
                  args=(-DCMAKE_BUILD_TYPE=Release -DSWAPFUZZ_FUZZ=ON -DSWAPFUZZ_SANITIZE=OFF
                        -DSWAPFUZZ_TESTS=OFF -DSWAPFUZZ_FUZZ_MODEL_COVERAGE=ON) ;;
  fuzz-asan)      dir=build-fuzz-asan
                  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWAPFUZZ_FUZZ=ON -DSWAPFUZZ_SANITIZE=ON
                        -DSWAPFUZZ_TESTS=OFF) ;;
  -h|--help|help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "build: unknown build type '$kind' (release, debug, asan, gcc, fuzz, fuzz-sancov or fuzz-asan)" >&2; exit 2 ;;
esac

# A directory configured by another generator cannot be reused; start it afresh.
if [[ -f "$dir/CMakeCache.txt" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
  echo "build: $dir/ was configured with another generator; reconfiguring from scratch"
  rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
fi

jobs=$(nproc)
echo "build: configuring $dir/ ($kind): ${args[*]} $*"
cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" "${args[@]}" "$@" >/dev/null
echo "build: building $dir/ with $jobs jobs"
cmake --build "$dir" -j "$jobs"
echo "build: done; programs are in $dir/bin/"
