#include "model/finding.h"

#include <array>

namespace swapfuzz {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Oracle::kCount)> kOracles = {
    "data-integrity", "zram-empty-read", "swap-count", "swap-cache", "use-after-free",
    "page-state",     "accounting",      "deadlock",   "liveness",       "stale-write",
    "refcount",       "rmap",           "memcg",      "swap-avail",
};

constexpr std::array<std::string_view, static_cast<size_t>(ObjectKind::kCount)> kObjects = {
    "page",       "swap-slot", "zram-slot",   "mm",    "cpu", "zswap-entry",
    "zswap-tree", "zswap-pool", "swap-device", "block", "zram-wb-ctl",
    "acomp-ctx",  "zram-table", "zcomp-strm", "memcg", "shmem-file",
};

}  // namespace

std::string_view OracleName(Oracle o) { return kOracles[static_cast<size_t>(o)]; }
std::string_view ObjectKindName(ObjectKind k) { return kObjects[static_cast<size_t>(k)]; }

std::string Finding::Signature() const {
  std::string s(OracleName(oracle));
  s += ':';
  s += FnName(function);
  s += ':';
  s += ObjectKindName(object);
  return s;
}

const Finding* Findings::First() const {
  for (int i = 0; i < nkept; ++i) {
    if (kept[i].fatal) return &kept[i];
  }
  return nullptr;
}

}  // namespace swapfuzz
