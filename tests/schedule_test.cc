#include "model/schedule.h"

#include <string>

#include <gtest/gtest.h>

namespace swapfuzz {
namespace {

Op MakeOp(OpKind kind, uint8_t va = 0, uint8_t arg = 0) { return Op{kind, va, arg, 0}; }

Schedule TwoReaders() {
  Schedule s;
  s.cpus = {CpuProgram{0, {MakeOp(OpKind::kWrite), MakeOp(OpKind::kRead)}},
            CpuProgram{0, {MakeOp(OpKind::kRead, 1)}}};
  return s;
}

TEST(ScheduleTest, ValidateRejectsOutOfRangeFields) {
  struct Case {
    std::string name;
    void (*mutate)(Schedule&);
    std::string expect;  // a substring of the error
  };
  const Case cases[] = {
      {"no cpus", [](Schedule& s) { s.cpus.clear(); }, "cpus"},
      {"too many cpus", [](Schedule& s) { s.cpus.resize(kMaxCpus + 1); }, "cpus"},
      {"mm", [](Schedule& s) { s.cpus[0].mm = kMaxMms; }, "cpus[0].mm"},
      {"va", [](Schedule& s) { s.cpus[1].ops[0].va = kMaxVas; }, "cpus[1].ops[0].va"},
      {"fork child", [](Schedule& s) { s.cpus[0].ops[0] = MakeOp(OpKind::kFork, 0, kMaxMms); },
       "arg"},
      {"too many ops", [](Schedule& s) { s.cpus[0].ops.resize(kMaxOpsPerCpu + 1); }, "ops"},
      {"nslots", [](Schedule& s) { s.config.nslots = kMaxSlots + 1; }, "nslots"},
      {"page_cluster", [](Schedule& s) { s.config.page_cluster = 4; }, "page_cluster"},
      {"slots cache", [](Schedule& s) { s.config.slots_cache_size = kMaxSlotsCache + 1; },
       "slots_cache_size"},
      {"decision cpu", [](Schedule& s) { s.decisions.push_back(Segment{2, 1, {}}); },
       "decisions[0].cpu"},
  };
  EXPECT_TRUE(Validate(TwoReaders()).ok());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s = TwoReaders();
    c.mutate(s);
    const absl::Status st = Validate(s);
    EXPECT_FALSE(st.ok());
    EXPECT_NE(std::string(st.message()).find(c.expect), std::string::npos) << st.message();
  }
}

TEST(ScheduleTest, ResolveAppliesProfileThenOverrides) {
  ScheduleConfig c;
  c.profile = "v5.16";
  c.knobs = {{"skip_swapcache_unpinned", false}, {"free_notify_shared_slot", true}};
  absl::StatusOr<RunConfig> r = Resolve(c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->knobs.Has(Knob::kFreeNotifyOnRead));
  EXPECT_FALSE(r->knobs.Has(Knob::kSkipSwapcacheUnpinned));
  EXPECT_TRUE(r->knobs.Has(Knob::kFreeNotifySharedSlot));
  // A profile override replaces the profile, the file's overrides still apply.
  c.knobs = {{"skip_swapcache_unpinned", true}};
  r = Resolve(c, "v6.9");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->knobs.Has(Knob::kFreeNotifyOnRead));
  EXPECT_TRUE(r->knobs.Has(Knob::kSkipSwapcacheUnpinned));

  EXPECT_FALSE(Resolve(ScheduleConfig{.profile = "v9"}).ok());
  ScheduleConfig bad;
  bad.knobs = {{"nonsense", true}};
  EXPECT_NE(std::string(Resolve(bad).status().message()).find("nonsense"), std::string::npos);
}

// A decider that records what the segment decider picks.
TEST(ScheduleTest, SegmentsRunInOrderThenDefaultPolicy) {
  Schedule s = TwoReaders();
  s.decisions = {Segment{1, 2, {}}, Segment{0, 0, StepByName("user_access: write")},
                 Segment{1, 0, {}}};
  Executor ex;
  std::vector<uint8_t> picks;
  absl::StatusOr<RunConfig> config = Resolve(s.config);
  ex.Reset(*config, s.cpus);
  SegmentDecider decider(s.decisions);
  RunOptions options;
  options.picks = &picks;
  ex.Run(decider, options);
  // cpu 1 for 2 steps, cpu 0 through its write (fault, anon page, write),
  // then cpu 1 to its end, then the default policy finishes cpu 0.
  ASSERT_GE(picks.size(), 7u);
  EXPECT_EQ(picks[0], 1);
  EXPECT_EQ(picks[1], 1);
  EXPECT_EQ(picks[2], 0);
  EXPECT_EQ(picks[3], 0);
  EXPECT_EQ(picks[4], 0);
  EXPECT_EQ(picks[5], 1);
  EXPECT_EQ(picks.back(), 0);
  // Replaying the recorded picks as segments reproduces the run exactly.
  Schedule again = s;
  again.decisions = SegmentsFromPicks(picks);
  Executor ex2;
  absl::StatusOr<ReplayOutput> a = RunSchedule(ex2, s, "", true);
  absl::StatusOr<ReplayOutput> b = RunSchedule(ex2, again, "", true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->result.trace_hash, b->result.trace_hash);
  EXPECT_EQ(FormatTrace(a->trace), FormatTrace(b->trace));
}

TEST(ScheduleTest, SegmentsFromPicksRunLengthEncodes) {
  const std::vector<Segment> got = SegmentsFromPicks({0, 0, 1, 0, 0, 0});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (Segment{0, 2, {}}));
  EXPECT_EQ(got[1], (Segment{1, 1, {}}));
  EXPECT_EQ(got[2], (Segment{0, 3, {}}));
}

// A knob restores old code inside a release's code; where that release's code
// does not have it, Resolve() says so, naming the knob, the profile and why.
TEST(ScheduleTest, KnobWithoutItsCodePathIsRefused) {
  struct Case {
    const char* profile;
    std::vector<KnobOverride> knobs;
    const char* error;  // empty: accepted
  };
  const Case cases[] = {
      {"v6.9", {{"free_notify_shared_slot", true}},
       "knob free_notify_shared_slot cannot be set under profile v6.9 (Linux 6.9): "
       "swap_slot_free_notify() is called only with free_notify_on_read set"},
      {"v6.9", {{"free_notify_shared_slot", true}, {"free_notify_on_read", true}}, ""},
      {"v5.16", {{"zswap_exclusive_load_private_folio", true}},
       "knob zswap_exclusive_load_private_folio cannot be set under profile v5.16 (Linux 5.16): "
       "its zswap_load() never frees the entry (no exclusive loads)"},
      {"v6.3", {{"zswap_dup_store_keeps_old", true}},
       "knob zswap_dup_store_keeps_old cannot be set under profile v6.3 (Linux 6.3): its zswap "
       "sits behind frontswap, whose __frontswap_store() invalidates the duplicate entry"},
      {"v6.3", {{"zswap_wb_stale_folio_leak", true}},
       "knob zswap_wb_stale_folio_leak cannot be set under profile v6.3 (Linux 6.3): zswap "
       "writeback has no stale-entry recheck while zswap_wb_no_recheck is set"},
      {"v6.3", {{"zswap_wb_stale_folio_leak", true}, {"zswap_wb_no_recheck", false}}, ""},
      {"mainline", {{"zswap_dup_store_keeps_old", true}}, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    ScheduleConfig config;
    config.profile = c.profile;
    config.knobs = c.knobs;
    absl::StatusOr<RunConfig> r = Resolve(config);
    if (*c.error == '\0') {
      EXPECT_TRUE(r.ok()) << r.status();
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().message(), c.error);
    }
  }
}

// A pick that took no step (kPickTookNoStep) makes its CPU's run "until it
// blocks or ends", so that replay makes that pick too; a later step of the
// same CPU starts a new segment.
TEST(ScheduleTest, SegmentsFromPicksKeepsPicksThatTookNoStep) {
  constexpr uint8_t kNo = kPickTookNoStep;
  const std::vector<Segment> got =
      SegmentsFromPicks({0, 0, 0 | kNo, 1, 2 | kNo, 1, 1 | kNo, 1, 3 | kNo, 3 | kNo});
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0], (Segment{0, 0, {}}));
  EXPECT_EQ(got[1], (Segment{1, 1, {}}));
  EXPECT_EQ(got[2], (Segment{2, 0, {}}));
  EXPECT_EQ(got[3], (Segment{1, 0, {}}));
  EXPECT_EQ(got[4], (Segment{1, 1, {}}));
  EXPECT_EQ(got[5], (Segment{3, 0, {}}));
  EXPECT_EQ(got[6], (Segment{3, 0, {}}));
  EXPECT_EQ(PickCpu(2 | kNo), 2);
  EXPECT_EQ(PickCpu(kIrqCpu), kIrqCpu);
}

}  // namespace
}  // namespace swapfuzz
