#include "replay/minimize.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"

#include "format/schedule_io.h"

namespace swapfuzz {
namespace {

struct Bug {
  std::string name;
  std::vector<KnobOverride> knobs;  // on top of mainline
  std::string hunted;               // the knob that must explain the finding
  std::string hand_written;         // corpus/regressions/<file>
};

const Bug kBugs[] = {
    {"e914d8f00391", {{"free_notify_on_read", true}, {"skip_swapcache_unpinned", true}},
     "free_notify_on_read", "zram_free_notify_on_read.json"},
    {"13ddaf26be32", {{"skip_swapcache_unpinned", true}}, "skip_swapcache_unpinned",
     "skip_swapcache_aba.json"},
    {"5df373e95689",
     {{"free_notify_on_read", true}, {"free_notify_shared_slot", true},
      {"skip_swapcache_unpinned", true}},
     "free_notify_shared_slot", "free_notify_shared_slot.json"},
};

// Keeps the current CPU three times in four, else picks a random runnable one.
class RandomWalk final : public Decider {
 public:
  explicit RandomWalk(Rng& rng) : rng_(rng) {}
  int Pick(uint32_t runnable, int current, const Kernel&) override {
    if (current >= 0 && ((runnable >> current) & 1u) && rng_.Next() % 4 != 0) return current;
    int nth = static_cast<int>(rng_.Next() % __builtin_popcount(runnable));
    uint32_t m = runnable;
    while (nth-- > 0) m &= m - 1;
    return __builtin_ctz(m);
  }

 private:
  Rng& rng_;
};

// A noisy starting point: the hand-written programs with random operations
// added around them, run under random interleavings until a finding that
// needs the bug's knob. Returns that run as an exact schedule.
std::optional<Schedule> FindBug(const Bug& bug, const Schedule& hand, uint64_t seed) {
  Rng rng(seed);
  Executor ex;
  for (int attempt = 0; attempt < 200000; ++attempt) {
    Schedule s = hand;
    s.config.profile = "v6.9";
    s.config.knobs = bug.knobs;
    s.decisions.clear();
    s.expected.reset();
    for (CpuProgram& p : s.cpus) {
      const int extra = static_cast<int>(rng.Next() % 4);
      for (int i = 0; i < extra; ++i) {
        const OpKind kind = rng.Next() % 2 ? OpKind::kRead : OpKind::kWrite;
        Op op{kind, static_cast<uint8_t>(1 + rng.Next() % 2), 0, 0};
        p.ops.insert(p.ops.begin() + rng.Next() % (p.ops.size() + 1), op);
      }
    }
    ex.Reset(*Resolve(s.config), s.cpus);
    RandomWalk walk(rng);
    std::vector<uint8_t> picks;
    RunOptions options;
    options.picks = &picks;
    const RunResult r = ex.Run(walk, options);
    if (r.finding == nullptr) continue;
    s.decisions = SegmentsFromPicks(picks);
    s.expected = Expectation{r.finding->Signature(), r.trace_hash, r.steps, ""};
    absl::StatusOr<bool> needed = NeedsKnob(s, bug.hunted);
    if (needed.ok() && *needed) return s;
  }
  return std::nullopt;
}

TEST(MinimizeTest, FuzzerFindsShrinkToNearTheHandWrittenReproducer) {
  for (const Bug& bug : kBugs) {
    SCOPED_TRACE(bug.name);
    absl::StatusOr<Schedule> hand = ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) +
                                                     "/corpus/regressions/" + bug.hand_written);
    ASSERT_TRUE(hand.ok()) << hand.status();
    const std::optional<Schedule> found = FindBug(bug, *hand, 42);
    ASSERT_TRUE(found.has_value()) << "random interleavings did not hit the bug";
    std::vector<std::string> progress;
    MinimizeOptions options;
    options.progress = [&](const std::string& line) { progress.push_back(line); };
    absl::StatusOr<MinimizeResult> min = Minimize(*found, options);
    ASSERT_TRUE(min.ok()) << min.status();
    // The minimized reproducer still needs the bug's knob.
    bool needs_knob = false;
    for (const KnobOverride& k : min->schedule.config.knobs) needs_knob |= k.name == bug.hunted && k.on;
    EXPECT_TRUE(needs_knob);
    EXPECT_FALSE(progress.empty());
    EXPECT_LE(min->after.ops, min->before.ops);
    EXPECT_LE(min->after.preemptions, min->before.preemptions);

    // Same finding, replayed strictly from the minimized file.
    Executor ex;
    absl::StatusOr<ReplayOutput> replay = RunSchedule(ex, min->schedule);
    ASSERT_TRUE(replay.ok());
    ASSERT_TRUE(replay->finding.has_value());
    EXPECT_EQ(replay->finding->Signature(), found->expected->signature);
    EXPECT_EQ(replay->result.trace_hash, min->schedule.expected->trace_hash);

    // Within two ops and one preemption of the hand-written reproducer.
    absl::StatusOr<ScheduleSize> hand_size = MeasureSchedule(*hand);
    ASSERT_TRUE(hand_size.ok());
    EXPECT_LE(min->after.ops, hand_size->ops + 2)
        << "minimized " << min->after.ops << " ops, hand-written " << hand_size->ops;
    EXPECT_LE(min->after.preemptions, hand_size->preemptions + 1)
        << "minimized " << min->after.preemptions << ", hand-written " << hand_size->preemptions;
    std::cerr << bug.name << ": " << min->before.ops << " ops/" << min->before.preemptions
              << " preemptions -> " << min->after.ops << "/" << min->after.preemptions
              << " (hand-written " << hand_size->ops << "/" << hand_size->preemptions << "), "
              << min->replays << " replays\n";
  }
}

TEST(MinimizeTest, RejectsASchedulWithoutFinding) {
  Schedule s;
  s.cpus = {CpuProgram{0, {Op{OpKind::kWrite, 0, 0, 0}}}};
  absl::StatusOr<MinimizeResult> r = Minimize(s);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace swapfuzz

namespace swapfuzz {
namespace {

// Every failing regression is explained by at least one catalogue knob,
// whatever its device (disk schedules step the interrupt CPU too).
TEST(MinimizeTest, EveryRegressionNeedsACatalogueKnob) {
  const std::string dir = std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions";
  int checked = 0;
  for (const char* name :
       {"zram_free_notify_on_read.json", "skip_swapcache_aba.json", "free_notify_shared_slot.json",
        "seed002_zswap_writeback_race.json", "zswap_wb_stale_folio_leak.json",
        "zswap_dup_store_keeps_old.json", "zswap_dup_invalidate_only_enabled.json",
        "zswap_exclusive_load_private_folio.json", "zswap_lru_wb_swapoff.json",
        "do_swap_page_swapoff.json", "free_swap_and_cache_swapoff.json"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<Schedule> s = ReadScheduleFile(dir + "/" + name);
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<std::vector<std::string>> needed = KnobsNeeded(*s);
    ASSERT_TRUE(needed.ok()) << needed.status();
    EXPECT_FALSE(needed->empty());
    ++checked;
  }
  EXPECT_EQ(checked, 11);
}

// NeedsKnob is KnobsNeeded for one knob, with a shortcut for findings that do
// not need it: both must agree on every regression and every knob.
TEST(MinimizeTest, NeedsKnobAgreesWithKnobsNeeded) {
  const std::string dir = std::string(SWAPFUZZ_SOURCE_DIR) + "/corpus/regressions";
  for (const char* name :
       {"zram_free_notify_on_read.json", "skip_swapcache_aba.json", "free_notify_shared_slot.json",
        "seed002_zswap_writeback_race.json", "zswap_dup_store_keeps_old.json",
        "do_swap_page_swapoff.json"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<Schedule> s = ReadScheduleFile(dir + "/" + name);
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<std::vector<std::string>> all = KnobsNeeded(*s);
    ASSERT_TRUE(all.ok()) << all.status();
    for (const KnobInfo& info : AllKnobs()) {
      const std::string knob(info.name);
      SCOPED_TRACE(knob);
      absl::StatusOr<bool> one = NeedsKnob(*s, knob);
      ASSERT_TRUE(one.ok()) << one.status();
      EXPECT_EQ(*one, std::find(all->begin(), all->end(), knob) != all->end());
    }
  }
}

TEST(MinimizeTest, NeedsKnobRejectsBadQuestions) {
  absl::StatusOr<Schedule> s = ReadScheduleFile(std::string(SWAPFUZZ_SOURCE_DIR) +
                                                "/corpus/regressions/skip_swapcache_aba.json");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(NeedsKnob(*s, "no_such_knob").status().code(), absl::StatusCode::kInvalidArgument);
  Schedule clean;
  clean.config.knobs = {{"skip_swapcache_unpinned", true}};
  clean.cpus = {CpuProgram{0, {Op{OpKind::kWrite, 0, 0, 0}}}};
  EXPECT_EQ(NeedsKnob(clean, "skip_swapcache_unpinned").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace swapfuzz
