#!/usr/bin/env bash
# Installs the Debian 12 packages swapfuzz needs to build, test and debug.
#
# Idempotent and quick: every package is checked with dpkg first, and apt-get
# runs (update, then install) only when something is missing. Works as root on
# a fresh machine; as another user it uses sudo when that is available.
#
#   tools/deps.sh            # run it
#   source tools/deps.sh     # or source it; the caller's shell options are untouched

SWAPFUZZ_PACKAGES=(
  clang               # clang++ (clang-14), the default compiler
  g++                 # the second compiler of the determinism test
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes
  cmake
  ninja-build
  libabsl-dev
  libcereal-dev
  rapidjson-dev       # cereal's JSON archive
  libgtest-dev
  libbenchmark-dev
  gdb                 # replay --break_at_step, and its ctest
  chromium            # the HTML timeline's screenshot test
  zip unzip           # seed corpora in the OSS-Fuzz build and its emulation test
  python3
)

swapfuzz_deps() {
  local missing=() pkg status
  for pkg in "${SWAPFUZZ_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    echo "deps: all ${#SWAPFUZZ_PACKAGES[@]} packages already installed"
    return 0
  fi

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "deps: missing ${missing[*]}; run this script as root to install them" >&2
      return 1
    fi
  fi

  echo "deps: missing ${missing[*]}"
  echo "deps: apt-get update"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null; then
    echo "deps: apt-get update failed" >&2
    return 1
  fi
  echo "deps: apt-get install ${missing[*]}"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" </dev/null >/dev/null; then
    echo "deps: apt-get install failed" >&2
    return 1
  fi
  echo "deps: installed ${#missing[@]} package(s)"
}

# Run when executed, define-and-run when sourced (without `exit`ing the caller).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  swapfuzz_deps
  exit $?
else
  swapfuzz_deps
fi
