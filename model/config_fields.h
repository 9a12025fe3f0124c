// The fields of a schedule's configuration, each declared once.
//
// SWAPFUZZ_CONFIG_FIELDS below has one row per field of ScheduleConfig other
// than the profile and the knob overrides. The row is the only place the field
// is declared. Everything else that handles configuration is generated from
// the rows, or walks ConfigFields():
//
//   - the members of ScheduleConfig (model/schedule.h) and of RunConfig
//     (model/config.h), with their defaults;
//   - Validate()'s check of the field and its one-line error, and Resolve()'s
//     copy into RunConfig (model/schedule.cc);
//   - the JSON reader and writer (format/schedule_io.cc), and the binary
//     reader and writer (format/schedule_binary.cc);
//   - FuzzRunner's copy of the fields the fuzz decoder sets (fuzz/runner.cc);
//   - the minimizer's simplification of the configuration (replay/minimize.cc).
//
// tests/config_fields_test.cc walks the table and checks every row through
// each of these, and that docs/schedule-format.md documents it.
// docs/contributing.md says what else a new field needs.
//
// A row is X(name, domain, run type, default, binary slot, fuzz, simpler):
//
//   name         The member's name in ScheduleConfig and in RunConfig, and the
//                field's key in JSON and binary files.
//   domain       The values the field may take. The domain also fixes the
//                member's type in ScheduleConfig:
//                  IntRange(min, max)  an int from min to max. Validate()'s
//                                      error reads "config.nslots: 2 to 32".
//                  Boolean()           a bool; every value is valid.
//                  OneOf(names)        a std::string that must be one of
//                                      `names`. The error lists them:
//                                      config.backend: "zram" or "disk".
//                Every valid value has an ordinal: an int is its own ordinal,
//                a bool's is 0 or 1, and a name's is its index in `names`.
//                Binary files store ordinals, and RunConfig holds them.
//   run type     The member's type in RunConfig. Resolve() converts the
//                ordinal to it with static_cast, so it must hold every valid
//                ordinal; for OneOf() it is an enum whose values are the
//                indexes of the names (Backend and kBackendNames below).
//   default      The value the field has when a file leaves it out. It is the
//                default of both members.
//   binary slot  The field's place among the config fields of a binary file
//                (format/schedule_binary.h), from 0. The slots of the rows are
//                0 to N-1, each used once. Binary files are read by key, so
//                the slots only fix the bytes the writer produces; they must
//                not change, and a new field takes slot N.
//   fuzz         kPerTarget: the fuzz target's base configuration sets the
//                field, and FuzzRunner resolves it once. kPerInput: the fuzz
//                decoder (DecodePrograms(), fuzz/decoder.h) sets the field from
//                each input, and FuzzRunner::RunWith() copies it into every
//                run's RunConfig. kPerInputUpToTarget: as kPerInput, drawn
//                from 0 to the target's value, so fixed at 0 on a target
//                that sets 0. A test checks that the decoder changes no
//                kPerTarget field.
//   simpler      What the minimizer tries in the field's place.
//                Simpler(what, v1, v2, ...) tries lowering the field's ordinal
//                to v1, then to v2, and so on (it never raises one); the rows
//                are tried in table order. A change
//                that keeps the finding is reported as `what`, e.g. "no
//                readahead". The minimizer counts the ordinals of these fields
//                in the size it minimizes. Simpler() leaves the field alone.
//
// The rows are in the order the fields have in JSON files
// (docs/schedule-format.md), which is also their order in ScheduleConfig and
// the order in which Validate() checks them. A new field goes at the end.
//
// The profile and the knob overrides are not rows, and ScheduleConfig declares
// them by hand. The profile is a name looked up in the profile table: Resolve()
// may replace it (its profile_override), and the file readers check it on
// their own. The knobs are a list of overrides rather than one value, and the
// minimizer tries dropping each. Each would need a domain of its own that no
// other field uses. Both file formats write them first, before the table's
// fields.

#ifndef SWAPFUZZ_MODEL_CONFIG_FIELDS_H_
#define SWAPFUZZ_MODEL_CONFIG_FIELDS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "model/types.h"

namespace swapfuzz {

struct ScheduleConfig;  // model/schedule.h
struct RunConfig;       // model/config.h

// The swap device's backing store.
enum class Backend : uint8_t {
  kZram,  // zram: SWP_SYNCHRONOUS_IO, I/O completes inside bdev_read/write_page()
  kDisk,  // a rotational block device: bio submission, completion in the interrupt context
  // A swap file on an SSD: the disk's bio I/O, but SWP_SOLIDSTATE (it keeps
  // VMA readahead on, and the allocator's per-CPU device may name it), and no
  // swap_slot_free_notify.
  kFile,
};
// The backends' names in files, indexed by Backend.
inline constexpr std::string_view kBackendNames[] = {"zram", "disk", "file"};

// Whether the fuzz decoder sets a field from each input (see "fuzz" above).
// Rows name the enumerator alone.
enum class FuzzSource : uint8_t { kPerTarget, kPerInput, kPerInputUpToTarget };

// The three domains of the "domain" column. Each is a literal type, so a row's
// domain is a constant expression; Value is the field's type in
// ScheduleConfig, and Ordinal() maps a value to its ordinal (-1 for a name not
// in the list).
enum class ConfigKind : uint8_t { kInt, kBool, kName };

struct IntRange {
  using Value = int;
  static constexpr ConfigKind kKind = ConfigKind::kInt;
  constexpr IntRange(int min_value, int max_value) : min(min_value), max(max_value) {}
  constexpr int Ordinal(int value) const { return value; }
  int min;
  int max;
};

struct Boolean {
  using Value = bool;
  static constexpr ConfigKind kKind = ConfigKind::kBool;
  constexpr int Ordinal(bool value) const { return value ? 1 : 0; }
  int min = 0;
  int max = 1;
};

struct OneOf {
  using Value = std::string;
  static constexpr ConfigKind kKind = ConfigKind::kName;
  template <size_t N>
  constexpr OneOf(const std::string_view (&list)[N]) : names(list), max(static_cast<int>(N) - 1) {}
  constexpr int Ordinal(std::string_view value) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == value) return static_cast<int>(i);
    }
    return -1;
  }
  std::span<const std::string_view> names;
  int min = 0;
  int max;
};

// The "simpler" column: a description and up to four ordinals.
struct Simpler {
  constexpr Simpler() = default;
  template <typename... Ordinals>
  constexpr Simpler(std::string_view what_it_means, Ordinals... ordinals)
      : what(what_it_means), count(sizeof...(Ordinals)), values{ordinals...} {
    static_assert(sizeof...(Ordinals) <= 4, "Simpler() takes at most four values");
  }
  std::span<const int> ordinals() const { return {values.data(), count}; }

  std::string_view what;
  size_t count = 0;
  std::array<int, 4> values{};
};

// X(name, domain, run type, default, binary slot, fuzz, simpler); the columns
// are described at the top of this file. Comments in the table must be /* */:
// a // comment would swallow the line continuation.
#define SWAPFUZZ_CONFIG_FIELDS(X)                                                     \
  /* Swap offsets on the device, the header slot 0 included; at most kMaxSlots. */    \
  X(nslots, IntRange(2, kMaxSlots), int16_t, 16, 1, kPerInput,                        \
    Simpler("fewer swap slots", 4, 8))                                                \
  /* vm.page-cluster: swapin_readahead() reads 2^page_cluster pages around the     */ \
  /* faulting offset. 0 reads only the faulting one.                               */ \
  X(page_cluster, IntRange(0, 3), uint8_t, 1, 2, kPerInput,                          \
    Simpler("no readahead", 0))                                                       \
  /* Entries in each per-CPU swap slots cache. 0 leaves the cache inactive, as     */ \
  /* check_cache_active() does for a device this small.                            */ \
  X(slots_cache_size, IntRange(0, kMaxSlotsCache), uint8_t, 0, 3, kPerInput,          \
    Simpler("no swap slots cache", 0))                                                \
  /* zram's "read without previous write" warning is a diagnostic; with this set   */ \
  /* it is a failure.                                                              */ \
  X(zram_empty_read_fatal, Boolean(), bool, false, 4, kPerTarget, Simpler())          \
  /* The swap device's backing store.                                              */ \
  X(backend, OneOf(kBackendNames), Backend, "zram", 0, kPerTarget, Simpler())         \
  /* zswap is set up in front of the swap device (and enabled) from the start.     */ \
  /* Without it, zswap stays out of every path until an operation enables it.      */ \
  X(zswap, Boolean(), bool, false, 5, kPerTarget, Simpler())                          \
  /* /sys/module/zswap/parameters/max_pool_percent at the start.                   */ \
  X(zswap_max_pool_percent, IntRange(0, 100), uint8_t, 20, 6, kPerTarget, Simpler())  \
  /* totalram_pages(): what max_pool_percent is a percentage of. Every zswap entry */ \
  /* that is not same-filled takes one pool page.                                  */ \
  X(ram_pages, IntRange(1, 10000), int16_t, 50, 7, kPerTarget, Simpler())              \
  /* The cgroup v2 memory controller is on: each mm is charged to a memory cgroup, */ \
  /* folios to the memcg in folio->memcg_data, swap slots to the one swap_cgroup   */ \
  /* records. Off: mem_cgroup_disabled(), and no charge is made.                   */ \
  X(memcg, Boolean(), bool, false, 8, kPerTarget, Simpler())                          \
  /* The mms whose task is attached to memcg 2, a bit per mm; the others are in    */ \
  /* memcg 1. mm 0 starts there; a forked child is forked into its parent's memcg  */ \
  /* and attached before it runs (cgroup.procs), so it charges nothing elsewhere.  */ \
  X(memcg_mms, IntRange(0, (1 << kMaxMms) - 1), uint8_t, 0, 9, kPerInput,             \
    Simpler("every mm in memcg 1", 0))                                                \
  /* memory.max of each memcg, in pages; 0 is "max" (no limit). A charge that would */ \
  /* pass it reclaims the memcg's folios first (try_to_free_mem_cgroup_pages()).   */ \
  X(memcg_max, IntRange(0, kMaxPages), int16_t, 0, 10, kPerInput,                     \
    Simpler("no memory.max", 0))                                                      \
  /* Swap devices swapped on at boot, types 0 .. swap_devices-1. Type 0 is the     */ \
  /* one above (nslots, backend); type 1 is nslots1 and backend1. Their offsets    */ \
  /* follow each other (kMaxSwapDevices). Several need the newest release.         */ \
  X(swap_devices, IntRange(1, kMaxSwapDevices), uint8_t, 1, 11, kPerTarget, Simpler()) \
  /* Swap offsets on type 1, its header included.                                  */ \
  X(nslots1, IntRange(2, kMaxSlots), int16_t, 8, 12, kPerTarget, Simpler())           \
  /* Type 1's backing store; zram is type 0's only.                                */ \
  X(backend1, OneOf(kBackendNames), Backend, "disk", 13, kPerTarget, Simpler())        \
  /* swapon's priority of each type: 0 is swapon without SWAP_FLAG_PREFER, which  */ \
  /* 7.1.5 gives DEF_SWAP_PRIO (-1), shared by every such device; n > 0 is         */ \
  /* `swapon -p n`. The avail list takes higher priorities first.                  */ \
  X(prio0, IntRange(0, 32767), int16_t, 0, 14, kPerTarget, Simpler())                  \
  X(prio1, IntRange(0, 32767), int16_t, 0, 15, kPerTarget, Simpler())                  \
  /* The largest order of an anonymous mTHP: hugepages-<4 << order>kB/enabled is  */ \
  /* "always" for orders 1 .. mthp_order. A write fault maps the largest folio    */ \
  /* whose naturally aligned range of PTEs is empty. 0: order 0 only. A target    */ \
  /* sets the largest its inputs draw.                                            */ \
  X(mthp_order, IntRange(0, 2), uint8_t, 0, 16, kPerInputUpToTarget, Simpler())      \
  /* memory.zswap.writeback of every memcg (with the memory controller on): 0    */ \
  /* keeps zswap from writing their entries back, and zswap_compress() rejects   */ \
  /* an incompressible page (the model: an odd token) instead of storing it as   */ \
  /* it is.                                                                      */ \
  X(memcg_zswap_writeback, Boolean(), bool, true, 17, kPerInput, Simpler())       \
  /* The shmem file's large folios: its mount has huge=always (the file is      */ \
  /* reached by read() and write(), with no VMA, so 7.1.5 takes the orders from  */ \
  /* the mount, every file order), and a write to a hole allocates the largest   */ \
  /* folio up to this order whose naturally aligned range is empty. 0: huge=never. */ \
  /* The file is 8 pages; a target sets the largest its inputs draw.             */ \
  X(shmem_huge_order, IntRange(0, 2), uint8_t, 0, 18, kPerInputUpToTarget, Simpler())

// Declares a row's member of ScheduleConfig; used inside that struct only.
#define SWAPFUZZ_SCHEDULE_CONFIG_MEMBER(name, domain, run_type, default_value, ...) \
  decltype(domain)::Value name = default_value;
// Declares a row's member of RunConfig; used inside that struct only.
#define SWAPFUZZ_RUN_CONFIG_MEMBER(name, domain, run_type, default_value, ...) \
  run_type name = static_cast<run_type>((domain).Ordinal(default_value));

// One row of the table as data, for code that walks the fields at run time.
struct ConfigField {
  // The name. It comes from a string literal, so name.data() is also a
  // NUL-terminated string.
  std::string_view name;
  ConfigKind kind;
  int min;  // the smallest valid ordinal
  int max;  // the largest valid ordinal
  std::span<const std::string_view> names;  // kName: the valid names, by ordinal
  int binary_slot;
  FuzzSource fuzz;
  Simpler simpler;
  // The member in ScheduleConfig: the one of these that matches `kind`.
  int ScheduleConfig::*int_member = nullptr;
  bool ScheduleConfig::*bool_member = nullptr;
  std::string ScheduleConfig::*name_member = nullptr;

  // The field's ordinal in `config`; -1 for a name that is not in `names`.
  int Ordinal(const ScheduleConfig& config) const;
  // Sets the field in `config` to the value whose ordinal is `ordinal`, which
  // must be from min to max.
  void SetOrdinal(ScheduleConfig& config, int ordinal) const;
  // OK if the field's value in `config` is valid. Otherwise the one-line
  // error Validate() returns, e.g. "config.page_cluster: 0 to 3".
  absl::Status Check(const ScheduleConfig& config) const;
};

// The rows, in table order.
std::span<const ConfigField> ConfigFields();

// The row named `name`, or nullptr.
const ConfigField* ConfigFieldByName(std::string_view name);

// Checks every field of `config` in table order; returns the first error.
absl::Status ValidateConfigFields(const ScheduleConfig& config);

// Copies every field from `config` into `run`, converting each to its run type.
// The fields must be valid (ValidateConfigFields()).
void ResolveConfigFields(const ScheduleConfig& config, RunConfig& run);

// Copies only the kPerInput fields, as ResolveConfigFields() does. FuzzRunner
// calls it before every run, so it is a handful of stores.
void ResolvePerInputConfigFields(const ScheduleConfig& config, RunConfig& run);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_MODEL_CONFIG_FIELDS_H_
