#include "model/knobs.h"

#include <array>

namespace swapfuzz {
namespace {

constexpr std::array<KnobInfo, static_cast<size_t>(Knob::kCount)> kKnobs = {{
#define SWAPFUZZ_KNOB_INFO(e, name, hash, title, affected, text) \
  {Knob::e, name, hash, title, affected, text},
    SWAPFUZZ_KNOBS(SWAPFUZZ_KNOB_INFO)
#undef SWAPFUZZ_KNOB_INFO
}};

constexpr Features kV5_16{Features::ZswapLru::kZpool, /*zswap_exclusive_loads=*/false,
                          /*anon_exclusive=*/false};
constexpr Features kV6_3{Features::ZswapLru::kZpool, /*zswap_exclusive_loads=*/false,
                         /*anon_exclusive=*/true};
constexpr Features kMainline{Features::ZswapLru::kZswap, /*zswap_exclusive_loads=*/true,
                             /*anon_exclusive=*/true};

constexpr std::array<Profile, 3> kProfiles = {{
    {"v5.16", "Linux 5.16, the kernel seed 000 ran on",
     KnobSet{Knob::kFreeNotifyOnRead, Knob::kSkipSwapcacheUnpinned, Knob::kZswapWbNoRecheck,
             Knob::kZswapLruWbBeforePin, Knob::kFreeSwapAndCacheNoPin},
     kV5_16},
    {"v6.3", "Linux 6.3, the kernel seed 002 ran on",
     KnobSet{Knob::kSkipSwapcacheUnpinned, Knob::kZswapWbNoRecheck, Knob::kZswapLruWbBeforePin,
             Knob::kFreeSwapAndCacheNoPin},
     kV6_3},
    {"mainline", "every fix in the catalogue applied", KnobSet{}, kMainline},
}};

}  // namespace

std::span<const KnobInfo> AllKnobs() { return kKnobs; }

const KnobInfo& InfoFor(Knob knob) { return kKnobs[static_cast<size_t>(knob)]; }

std::optional<Knob> KnobByName(std::string_view name) {
  for (const KnobInfo& info : kKnobs) {
    if (info.name == name) return info.knob;
  }
  return std::nullopt;
}

std::span<const Profile> AllProfiles() { return kProfiles; }

const Profile* ProfileByName(std::string_view name) {
  for (const Profile& p : kProfiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace swapfuzz
