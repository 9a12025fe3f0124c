// Helpers shared by the per-source model tests (memory_test, vmscan_test,
// zram_drv_test, swapfile_test, swap_state_test).
//
// Runs go through Schedule + RunSchedule where nothing else is needed. When a
// test must look at (or change) the machine in the middle of a run, it uses a
// ProbeDecider: it follows the schedule's segments exactly like SegmentDecider
// and calls a hook right after a chosen step, with the executor's live Kernel.

#ifndef SWAPFUZZ_TESTS_MODEL_TEST_UTIL_H_
#define SWAPFUZZ_TESTS_MODEL_TEST_UTIL_H_

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "model/executor.h"
#include "model/schedule.h"
#include "model/step.h"

namespace swapfuzz::testing {

// --- programs ---

inline Op Read(uint8_t va = 0) { return Op{OpKind::kRead, va, 0, 0}; }
// A write of `value` (0 would mean "a fresh token", so tests always name one).
inline Op Write(uint8_t va, Token value) { return Op{OpKind::kWrite, va, 0, value}; }
// write_zero: a store of a page's worth of zeros (memset()).
inline Op WriteZero(uint8_t va = 0) { return Op{OpKind::kWriteZero, va, 0, 0}; }
inline Op Reclaim(uint8_t va = 0) { return Op{OpKind::kReclaim, va, 0, 0}; }
inline Op Munmap(uint8_t va = 0) { return Op{OpKind::kMunmap, va, 0, 0}; }
inline Op Fork(uint8_t child) { return Op{OpKind::kFork, 0, child, 0}; }
inline Op DrainSlots() { return Op{OpKind::kDrainSlots, 0, 0, 0}; }
inline Op MadviseDontneed(uint8_t va) { return Op{OpKind::kMadviseDontneed, va, 0, 0}; }
// MADV_DONTNEED of the addresses `first` to `last`.
inline Op MadviseDontneedRange(uint8_t first, uint8_t last) {
  return Op{OpKind::kMadviseDontneedRange, first, last, 0};
}
inline Op MadviseFree(uint8_t va) { return Op{OpKind::kMadviseFree, va, 0, 0}; }
inline Op MadvisePageout(uint8_t va = 0) { return Op{OpKind::kMadvisePageout, va, 0, 0}; }
inline Op Swapoff() { return Op{OpKind::kSwapoff, 0, 0, 0}; }
inline Op DeferredSplitScan() { return Op{OpKind::kDeferredSplitScan, 0, 0, 0}; }
inline Op UffdWp(uint8_t va) { return Op{OpKind::kUffdWp, va, 0, 0}; }
// UFFDIO_MOVE of the page at `src` to `dst`.
inline Op UffdMove(uint8_t src, uint8_t dst) { return Op{OpKind::kUffdMove, src, dst, 0}; }
// The shmem file's ops take a page index of the file; a punch, its first and
// last index.
inline Op ShmemRead(uint8_t index) { return Op{OpKind::kShmemRead, index, 0, 0}; }
inline Op ShmemWrite(uint8_t index, Token value) {
  return Op{OpKind::kShmemWrite, index, 0, value};
}
inline Op ShmemReclaim(uint8_t index) { return Op{OpKind::kShmemReclaim, index, 0, 0}; }
inline Op ShmemPunch(uint8_t first, uint8_t last) {
  return Op{OpKind::kShmemPunch, first, last, 0};
}
// A schedule of `cpus` under release `profile` on one swap device, `backend`
// with zswap on if `zswap`, page_cluster 0, and the shmem file's folios up to
// order `shmem_huge_order`.
inline Schedule ShmemSchedule(const std::string& profile, std::vector<CpuProgram> cpus,
                              int shmem_huge_order = 0, const std::string& backend = "zram",
                              bool zswap = false) {
  Schedule s;
  s.config.profile = profile;
  s.config.backend = backend;
  s.config.zswap = zswap;
  s.config.page_cluster = 0;
  s.config.shmem_huge_order = static_cast<uint8_t>(shmem_huge_order);
  s.cpus = std::move(cpus);
  return s;
}
// ftruncate() of the file to `pages` pages.
inline Op ShmemTruncate(uint8_t pages) { return Op{OpKind::kShmemTruncate, 0, pages, 0}; }
// A load and a store through the file's shared mapping, at the page index.
inline Op ShmemMapRead(uint8_t index) { return Op{OpKind::kShmemMapRead, index, 0, 0}; }
inline Op ShmemMapWrite(uint8_t index, Token value) {
  return Op{OpKind::kShmemMapWrite, index, 0, value};
}
// madvise(MADV_DONTNEED) of the shared mapping at the page index.
inline Op ShmemMapDontneed(uint8_t index) { return Op{OpKind::kShmemMapDontneed, index, 0, 0}; }
// Indices 0 .. 3 of the shmem file written 0x10 .. 0x13 and reclaimed: with
// shmem_huge_order 2, one order-2 folio swapped out as one order-2 entry.
inline std::vector<Op> ShmemSwappedOutLargeFolio() {
  return {ShmemWrite(0, 0x10), ShmemWrite(1, 0x11), ShmemWrite(2, 0x12), ShmemWrite(3, 0x13),
          ShmemReclaim(0)};
}

// --- decisions ---

// Run `cpu` until it has executed `step` (the segment's first such step).
inline Segment Through(uint8_t cpu, StepId step) { return Segment{cpu, 0, step}; }
// Run `cpu` for `steps` steps; 0: until it blocks or finishes.
inline Segment RunCpu(uint8_t cpu, uint16_t steps = 0) {
  return Segment{cpu, steps, std::nullopt};
}

// --- a decider that can look inside a run ---

class ProbeDecider final : public Decider {
 public:
  struct PickRecord {
    uint32_t runnable = 0;
    int picked = -1;
    uint64_t step = 0;  // steps executed before this pick
    std::array<int8_t, kMaxMms> mmap_readers{};
    std::array<bool, kMaxMms> mmap_writer{};
  };

  ProbeDecider(Executor& ex, const std::vector<Segment>& segments)
      : ex_(ex), inner_(segments) {}

  // Calls `fn` with the live kernel right after `cpu` (-1: any CPU) executed
  // the `occurrence`-th `step` of the run (counted over that CPU, or all CPUs).
  void After(StepId step, int cpu, std::function<void(Kernel&)> fn, int occurrence = 1) {
    probes_.push_back(Probe{step, cpu, occurrence, std::move(fn)});
  }
  // Takes a copy of the whole machine right after that step; returns the
  // index to pass to Snapshot() once the run is over.
  size_t SnapshotAfter(StepId step, int cpu = -1, int occurrence = 1) {
    snapshots_.emplace_back();
    const size_t index = snapshots_.size() - 1;
    After(step, cpu, [this, index](Kernel& k) { snapshots_[index] = k; }, occurrence);
    return index;
  }
  // The copy, or nullopt if the step never ran.
  const std::optional<Kernel>& Snapshot(size_t index) const { return snapshots_.at(index); }
  bool AllFired() const {
    for (const Probe& p : probes_) {
      if (!p.fired) return false;
    }
    return true;
  }
  const std::vector<PickRecord>& picks() const { return picks_; }

  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    const int cpu = inner_.Pick(runnable, current, k);
    PickRecord r;
    r.runnable = runnable;
    r.picked = cpu;
    r.step = k.step;
    for (int i = 0; i < kMaxMms; ++i) {
      r.mmap_readers[i] = k.mms[i].mmap_readers;
      r.mmap_writer[i] = k.mms[i].mmap_writer;
    }
    picks_.push_back(r);
    return cpu;
  }

  void Executed(int cpu, StepId step) override {
    inner_.Executed(cpu, step);
    for (Probe& p : probes_) {
      if (p.fired || p.step != step || (p.cpu >= 0 && p.cpu != cpu)) continue;
      if (++p.seen == p.occurrence) {
        p.fired = true;
        p.fn(ex_.mutable_kernel());
      }
    }
  }

 private:
  struct Probe {
    StepId step;
    int cpu;
    int occurrence;
    std::function<void(Kernel&)> fn;
    int seen = 0;
    bool fired = false;
  };
  Executor& ex_;
  SegmentDecider inner_;
  std::vector<Probe> probes_;
  std::vector<std::optional<Kernel>> snapshots_;
  std::vector<PickRecord> picks_;
};

// --- running ---

// RunSchedule with the trace kept; fails the test if the schedule is invalid.
inline ReplayOutput MustRun(Executor& ex, const Schedule& s) {
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s, "", /*keep_trace=*/true);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *std::move(out) : ReplayOutput{};
}

// What RunSchedule does, with `setup` applied to the freshly reset machine and
// `decider` (built on `s.decisions`) in place of a plain SegmentDecider.
inline ReplayOutput MustRunProbed(Executor& ex, const Schedule& s, ProbeDecider& decider,
                                  const std::function<void(Kernel&)>& setup = {}) {
  ReplayOutput out;
  if (absl::Status st = Validate(s); !st.ok()) {
    ADD_FAILURE() << st;
    return out;
  }
  absl::StatusOr<RunConfig> config = Resolve(s.config);
  if (!config.ok()) {
    ADD_FAILURE() << config.status();
    return out;
  }
  ex.Reset(*config, s.cpus);
  if (setup) setup(ex.mutable_kernel());
  RunOptions options;
  options.trace = &out.trace;
  out.result = ex.Run(decider, options);
  if (out.result.finding != nullptr) out.finding = *out.result.finding;
  return out;
}

// A machine with no programs, for calling the primitives of model/step.h
// directly. Returns the kernel, with CPU 0 as the current CPU.
inline Kernel& FreshKernel(Executor& ex, const RunConfig& config = RunConfig{}) {
  ex.Reset(config, {});
  Kernel& k = ex.mutable_kernel();
  k.current_cpu = 0;
  return k;
}

// --- reading a trace ---

// Indices of the events of `step` (by `cpu`, -1: any), at or after `from`.
inline std::vector<size_t> Find(const std::vector<TraceEvent>& trace, StepId step, int cpu = -1,
                                size_t from = 0) {
  std::vector<size_t> out;
  for (size_t i = from; i < trace.size(); ++i) {
    if (trace[i].id == step && (cpu < 0 || trace[i].cpu == cpu)) out.push_back(i);
  }
  return out;
}
inline int Count(const std::vector<TraceEvent>& trace, StepId step, int cpu = -1,
                 size_t from = 0) {
  return static_cast<int>(Find(trace, step, cpu, from).size());
}
// Index of the first matching event at or after `from`, or -1.
inline long First(const std::vector<TraceEvent>& trace, StepId step, int cpu = -1,
                  size_t from = 0) {
  const std::vector<size_t> all = Find(trace, step, cpu, from);
  return all.empty() ? -1 : static_cast<long>(all.front());
}
inline long Last(const std::vector<TraceEvent>& trace, StepId step, int cpu = -1) {
  const std::vector<size_t> all = Find(trace, step, cpu);
  return all.empty() ? -1 : static_cast<long>(all.back());
}
// True when `steps` occur in this order (not necessarily adjacent) at or after
// `from`, counting only events of `cpu` (-1: any).
inline bool InOrder(const std::vector<TraceEvent>& trace, std::span<const StepId> steps,
                    int cpu = -1, size_t from = 0) {
  auto want = steps.begin();
  for (size_t i = from; i < trace.size() && want != steps.end(); ++i) {
    if (trace[i].id == *want && (cpu < 0 || trace[i].cpu == cpu)) ++want;
  }
  return want == steps.end();
}
inline bool InOrder(const std::vector<TraceEvent>& trace, std::initializer_list<StepId> steps,
                    int cpu = -1, size_t from = 0) {
  return InOrder(trace, std::span<const StepId>(steps.begin(), steps.size()), cpu, from);
}

// The trace and the outcome, for failure messages.
inline std::string Describe(const ReplayOutput& out) {
  std::string s = FormatTrace(out.trace);
  if (out.finding) {
    s += "finding: " + out.finding->Signature() + " " + out.finding->message.data() + "\n";
  } else {
    s += "no finding, diagnostics " + std::to_string(out.result.diagnostics) + "\n";
  }
  return s;
}

// Counts the failures recorded so far in the running test, so a table can
// print a case's trace only when that case failed.
inline int FailureCount() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
}

// --- machine states as the kernel leaves them ---

// Swap slot `off` in use with swap count `map`, and `data` stored in zram at
// that index, as a swap-out leaves them.
inline void StoredInZram(Kernel& k, Offset off, uint8_t map, Token data) {
  k.si.swap_map[off] = map;
  ++k.si.generation[off];
  ++k.swap_info[0].inuse_pages;
  k.zram.table[off].state = ZramSlot::State::kStored;
  k.zram.table[off].data = data;
  k.zram.table[off].generation = k.si.generation[off];
  ++k.zram.stored_pages;
}

// A page at `va` of mm 0 swapped out to `off` with `data` in zram, as reclaim
// leaves it.
inline void SwappedOut(Kernel& k, uint8_t va, Offset off, Token data) {
  k.mms[0].pte[va] = Pte{Pte::Kind::kSwap, false, kNoPage, off};
  k.mms[0].logical[va] = data;
  StoredInZram(k, off, 1, data);
}

// A table of runs that must end without a finding, each judged by `check`
// on the final machine and the trace (printed when the case failed).
using TraceCheck = std::function<void(const Kernel&, const std::vector<TraceEvent>&)>;
struct RunCase {
  std::string name;
  Schedule schedule;
  TraceCheck check;
};
inline void RunTable(const std::vector<RunCase>& cases) {
  for (const RunCase& c : cases) {
    SCOPED_TRACE(c.name);
    const int failures = FailureCount();
    Executor ex;
    const ReplayOutput out = MustRun(ex, c.schedule);
    EXPECT_FALSE(out.finding.has_value());
    c.check(ex.kernel(), out.trace);
    if (FailureCount() != failures) std::cerr << c.name << ":\n" << Describe(out);
  }
}

inline std::string FindingSignature(const ReplayOutput& out) {
  return out.finding ? out.finding->Signature() : std::string();
}

// A run's trace, finding and final state, with the lookups tests make.
struct Outcome {
  ReplayOutput out;
  Kernel k;
  int Count(StepId id, int cpu = -1) const {
    int n = 0;
    for (const TraceEvent& e : out.trace) n += e.id == id && (cpu < 0 || e.cpu == cpu);
    return n;
  }
  // The details (the step's value) of `id`'s events on `cpu` (-1: any), in order.
  std::vector<Token> Values(StepId id, int cpu = -1) const {
    std::vector<Token> v;
    for (const TraceEvent& e : out.trace) {
      if (e.id == id && (cpu < 0 || e.cpu == cpu)) v.push_back(e.detail);
    }
    return v;
  }
  long First(StepId id, int cpu = -1) const {
    for (size_t i = 0; i < out.trace.size(); ++i) {
      if (out.trace[i].id == id && (cpu < 0 || out.trace[i].cpu == cpu)) return static_cast<long>(i);
    }
    return -1;
  }
  std::string Signature() const { return out.finding ? out.finding->Signature() : ""; }
  std::string Dump() const {
    return FormatTrace(out.trace) +
           (out.finding ? Signature() + ": " + out.finding->message.data() : "no finding");
  }
};

// Runs `s` (after `setup` edits the fresh machine, if given) with its trace.
inline Outcome Exec(const Schedule& s, const std::function<void(Kernel&)>& setup = {}) {
  Outcome r;
  Executor ex;
  EXPECT_TRUE(Validate(s).ok()) << Validate(s);
  absl::StatusOr<RunConfig> config = Resolve(s.config);
  EXPECT_TRUE(config.ok()) << config.status();
  ex.Reset(*config, s.cpus);
  if (setup) setup(ex.mutable_kernel());
  SegmentDecider decider(s.decisions);
  RunOptions options;
  options.trace = &r.out.trace;
  r.out.result = ex.Run(decider, options);
  if (r.out.result.finding) r.out.finding = *r.out.result.finding;
  r.k = ex.kernel();
  return r;
}

}  // namespace swapfuzz::testing

#endif  // SWAPFUZZ_TESTS_MODEL_TEST_UTIL_H_
