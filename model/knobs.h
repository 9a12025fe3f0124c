// Historical bugs as knobs, and kernel releases as profiles.
//
// Every knob names one mainline fix. Setting the knob restores the code as it was
// before that fix; clearing it runs the fixed code. The model's paths test knobs;
// the oracles never do. A profile is the set of knobs that were still set in a
// released kernel, so `v5.16` runs the swap path as 5.16 shipped it.

#ifndef SWAPFUZZ_MODEL_KNOBS_H_
#define SWAPFUZZ_MODEL_KNOBS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace swapfuzz {

// X(enumerator, knob name, fix hash, fix title, releases affected, description)
#define SWAPFUZZ_KNOBS(X)                                                         \
  X(kFreeNotifyOnRead, "free_notify_on_read", "e914d8f00391",                     \
    "mm: fix unexpected zeroed page mapping with zram swap",                      \
    "v4.15 .. v5.17 (fixed in v5.18-rc3; stable 4.19.242, 5.4, 5.10, 5.15, 5.17.4)",                              \
    "swap_readpage() calls swap_slot_free_notify() once a read from a "           \
    "SWP_SYNCHRONOUS_IO device completes, so zram drops its copy as soon as one " \
    "reader has the page in RAM. With CLONE_VM threads a count of 1 does not "    \
    "mean one faulting task: a second thread that skipped the swap cache reads "  \
    "the emptied zram slot and maps a zero-filled page.")                         \
  X(kFreeNotifySharedSlot, "free_notify_shared_slot", "5df373e95689",             \
    "mm/page_io.c: do not free shared swap slots",                                \
    "v4.15 .. v5.3 (fixed in v5.4; stable 4.19, 5.3)",                                          \
    "swap_slot_free_notify() discards the device copy without checking that "     \
    "the slot has a single user. A forked child that shares the slot and "        \
    "already missed the swap cache then reads the discarded slot.")               \
  X(kSkipSwapcacheUnpinned, "skip_swapcache_unpinned", "13ddaf26be32",            \
    "mm/swap: fix race when skipping swapcache",                                  \
    "v4.15 .. v6.7 (fixed in v6.8; stable 6.1, 6.6; CVE-2024-26759)",                              \
    "do_swap_page() reads a SWP_SYNCHRONOUS_IO slot into a private page without " \
    "pinning the entry with swapcache_prepare(). Another thread can map its own " \
    "copy, free the slot, and have it reallocated to the same PTE, so the "       \
    "first thread's pte_same() passes on a recycled entry (ABA) and it maps "     \
    "stale data and frees the new owner's swap reference.")

enum class Knob : uint8_t {
#define SWAPFUZZ_KNOB_ENUM(e, ...) e,
  SWAPFUZZ_KNOBS(SWAPFUZZ_KNOB_ENUM)
#undef SWAPFUZZ_KNOB_ENUM
      kCount
};

// A set of knobs, one bit each. Value type; cheap to copy and compare.
class KnobSet {
 public:
  constexpr KnobSet() = default;
  constexpr KnobSet(std::initializer_list<Knob> knobs) {
    for (Knob k : knobs) Set(k, true);
  }
  constexpr bool Has(Knob k) const { return (bits_ >> static_cast<int>(k)) & 1u; }
  constexpr void Set(Knob k, bool on) {
    const uint32_t bit = 1u << static_cast<int>(k);
    bits_ = on ? (bits_ | bit) : (bits_ & ~bit);
  }
  constexpr uint32_t bits() const { return bits_; }
  friend constexpr bool operator==(KnobSet a, KnobSet b) { return a.bits_ == b.bits_; }

 private:
  uint32_t bits_ = 0;
};

// One entry of the bug catalogue.
struct KnobInfo {
  Knob knob;
  std::string_view name;
  std::string_view fix_hash;
  std::string_view fix_title;
  std::string_view affected;
  std::string_view description;
};

// A named kernel release: the knobs it still had set.
struct Profile {
  std::string_view name;
  std::string_view description;
  KnobSet knobs;
};

// The whole catalogue, in enum order.
std::span<const KnobInfo> AllKnobs();
const KnobInfo& InfoFor(Knob knob);
std::optional<Knob> KnobByName(std::string_view name);

// Every profile; `mainline` has every fix applied.
std::span<const Profile> AllProfiles();
const Profile* ProfileByName(std::string_view name);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_KNOBS_H_
