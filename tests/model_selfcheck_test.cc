// The model checks itself: with every fix applied (the newest release with
// every knob cleared) no schedule may produce a finding. Thousands of schedules mixing every
// operation, on every backend and zswap setting, are generated from a tiny
// deterministic PRNG (base/rng.h) and run with a random-walk decider.
// A finding here is a bug in the model (or a real mainline bug, which would
// need its own catalogue entry), never something to relax the test for.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"
#include "model/executor.h"
#include "model/knobs.h"
#include "model/schedule.h"

namespace swapfuzz {
namespace {

bool OneIn(Rng& rng, uint64_t n) { return rng.Below(n) == 0; }

// Picks uniformly among the runnable CPUs at every step, the interrupt
// included; a CPU whose mm does not exist yet is kept off while others run.
class RandomWalk final : public Decider {
 public:
  explicit RandomWalk(uint64_t seed) : rng_(seed) {}
  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    (void)current;
    uint32_t mask = 0;
    for (int i = 0; i <= kIrqCpu; ++i) {
      if (!((runnable >> i) & 1u)) continue;
      if (i < k.ncpus && !k.mms[k.cpus[i].mm].alive) continue;
      mask |= 1u << i;
    }
    if (mask == 0) mask = runnable;
    uint64_t r = rng_.Below(static_cast<uint64_t>(__builtin_popcount(mask)));
    while (r-- > 0) mask &= mask - 1;
    return __builtin_ctz(mask);
  }

 private:
  Rng rng_;
};

constexpr int kVas = 4;

Op RandomOp(Rng& rng) {
  Op op;
  op.va = static_cast<uint8_t>(rng.Below(kVas));
  const uint32_t dice = rng.Below(1000);
  if (dice < 200) {
    op.kind = OpKind::kWrite;
  } else if (dice < 400) {
    op.kind = OpKind::kRead;
  } else if (dice < 650) {
    op.kind = OpKind::kReclaim;
  } else if (dice < 690) {
    op.kind = OpKind::kMunmap;
  } else if (dice < 710) {
    op.kind = OpKind::kDrainSlots;
  } else if (dice < 790) {
    op.kind = OpKind::kZswapShrink;
  } else if (dice < 810) {
    op.kind = OpKind::kZswapEnable;
    op.arg = static_cast<uint8_t>(rng.Below(2));
  } else if (dice < 850) {
    op.kind = OpKind::kZswapMaxPool;
    op.arg = OneIn(rng, 2) ? 1 : static_cast<uint8_t>(rng.Below(41));
  } else if (dice < 865) {
    op.kind = OpKind::kSwapoff;
  } else if (dice < 885) {
    op.kind = OpKind::kSwapon;
  } else if (dice < 905) {
    op.kind = OpKind::kZramIdle;
  } else if (dice < 935) {
    op.kind = OpKind::kZramWriteback;
    op.arg = static_cast<uint8_t>(rng.Below(2));
  } else if (dice < 965) {
    op.kind = OpKind::kUffdWp;
  } else {
    op.kind = OpKind::kRead;
  }
  return op;
}

Schedule RandomSchedule(Rng& rng) {
  Schedule s;
  s.config.profile = "v6.9";
  for (const KnobInfo& info : AllKnobs()) s.config.knobs.push_back({std::string(info.name), false});
  s.config.backend = OneIn(rng, 2) ? "disk" : "zram";
  s.config.zswap = !OneIn(rng, 3);
  s.config.zswap_max_pool_percent = OneIn(rng, 2) ? 20 : static_cast<int>(rng.Below(6));
  s.config.ram_pages = 20 + static_cast<int>(rng.Below(40));
  s.config.nslots = 4 + static_cast<int>(rng.Below(12));
  s.config.page_cluster = static_cast<int>(rng.Below(2));
  s.config.slots_cache_size = OneIn(rng, 3) ? 2 : 0;
  const int ncpus = 2 + static_cast<int>(rng.Below(3));
  const int nops = 4 + static_cast<int>(rng.Below(13));
  // In a third of the schedules CPU 0 forks mm 1 early and CPU 2 runs there;
  // otherwise every CPU is a thread of mm 0.
  const bool fork = ncpus >= 3 && OneIn(rng, 3);
  for (int c = 0; c < ncpus; ++c) {
    CpuProgram p;
    p.mm = fork && c == 2 ? 1 : 0;
    for (int j = 0; j < nops; ++j) p.ops.push_back(RandomOp(rng));
    if (fork && c == 0) p.ops[rng.Below(3)] = Op{OpKind::kFork, 0, 1, 0};
    s.cpus.push_back(p);
  }
  return s;
}

std::string Describe(const Schedule& s) {
  std::string out = "backend " + s.config.backend + ", zswap " +
                    std::to_string(s.config.zswap) + ", max_pool " +
                    std::to_string(s.config.zswap_max_pool_percent) + ", ram " +
                    std::to_string(s.config.ram_pages) + ", nslots " +
                    std::to_string(s.config.nslots) + ", cluster " +
                    std::to_string(s.config.page_cluster) + ", slots cache " +
                    std::to_string(s.config.slots_cache_size) + "\n";
  for (size_t c = 0; c < s.cpus.size(); ++c) {
    out += "  cpu " + std::to_string(c) + " (mm " + std::to_string(s.cpus[c].mm) + "):";
    for (const Op& op : s.cpus[c].ops) {
      out += " " + std::string(OpName(op.kind));
      if (OpTakesVa(op.kind)) out += " " + std::to_string(op.va);
      if (OpArgLimit(op.kind) > 0) out += " " + std::to_string(op.arg);
      out += ",";
    }
    out += "\n";
  }
  return out;
}

void RunMany(uint64_t seed, int schedules, int walks) {
  Rng rng(seed);
  Executor ex;
  int failures = 0;
  uint64_t total_steps = 0, runs = 0;
  std::vector<int> seen(static_cast<size_t>(StepId::kCount));
  for (int i = 0; i < schedules && failures < 3; ++i) {
    const Schedule s = RandomSchedule(rng);
    ASSERT_TRUE(Validate(s).ok());
    absl::StatusOr<RunConfig> config = Resolve(s.config);
    ASSERT_TRUE(config.ok());
    for (int w = 0; w < walks; ++w) {
      const uint64_t walk_seed = rng.Next();
      ex.Reset(*config, s.cpus);
      RandomWalk decider(walk_seed);
      std::vector<TraceEvent> trace;
      RunOptions options;
      options.trace = &trace;
      const RunResult r = ex.Run(decider, options);
      total_steps += r.steps;
      ++runs;
      for (const TraceEvent& e : trace) ++seen[static_cast<size_t>(e.id)];
      if (r.finding == nullptr) continue;
      ++failures;
      ADD_FAILURE() << "schedule " << i << " walk " << w << " (seed " << walk_seed
                    << "): " << r.finding->Signature() << ": " << r.finding->message.data()
                    << "\n" << Describe(s) << FormatTrace(trace);
      break;
    }
  }
  if (getenv("SELFCHECK_STATS") != nullptr) {
    fprintf(stderr, "%llu runs, %.1f steps per run\n", static_cast<unsigned long long>(runs),
            static_cast<double>(total_steps) / static_cast<double>(runs));
    for (size_t i = 0; i < seen.size(); ++i) {
      fprintf(stderr, "%8d  %s\n", seen[i], std::string(StepName(static_cast<StepId>(i))).c_str());
    }
  }
}

TEST(ModelSelfcheckTest, MainlineIsCleanOnRandomSchedules) { RunMany(1, 1500, 2); }

TEST(ModelSelfcheckTest, MainlineIsCleanOnMoreRandomSchedules) { RunMany(0x5eed, 1500, 2); }

}  // namespace
}  // namespace swapfuzz

namespace swapfuzz {
namespace {

// The same generator is not vacuous: under the older profiles, whose knobs
// restore the catalogued bugs, it finds some of them.
TEST(ModelSelfcheckTest, OlderProfilesFindBugsOnTheSameSchedules) {
  for (const char* profile : {"v6.3", "v5.16"}) {
    SCOPED_TRACE(profile);
    Rng rng(7);
    Executor ex;
    std::map<std::string, int> signatures;
    for (int i = 0; i < 4000; ++i) {
      Schedule s = RandomSchedule(rng);
      s.config.profile = profile;
      s.config.knobs.clear();  // the release as it is
      absl::StatusOr<RunConfig> config = Resolve(s.config);
      ASSERT_TRUE(config.ok());
      for (int w = 0; w < 2; ++w) {
        ex.Reset(*config, s.cpus);
        RandomWalk decider(rng.Next());
        const RunResult r = ex.Run(decider);
        if (r.finding) ++signatures[r.finding->Signature()];
      }
    }
    std::string found;
    for (const auto& [signature, n] : signatures) {
      found += signature + " x" + std::to_string(n) + "\n";
    }
    EXPECT_GE(signatures.size(), 2u) << found;
    if (getenv("SELFCHECK_STATS") != nullptr) fprintf(stderr, "%s:\n%s", profile, found.c_str());
  }
}

}  // namespace
}  // namespace swapfuzz
