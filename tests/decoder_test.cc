#include "fuzz/decoder.h"

#include <algorithm>
#include <functional>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "base/rng.h"
#include "fuzz/runner.h"

namespace swapfuzz {
namespace {

std::vector<uint8_t> RandomBytes(Rng& rng, size_t n) {
  std::vector<uint8_t> out(n);
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng.Next());
  return out;
}

TEST(DecoderTest, EveryInputDecodesToAValidSchedule) {
  Rng rng(1);
  Schedule s;
  for (const FuzzTarget& target : AllTargets()) {
    SCOPED_TRACE(std::string(target.name));
    for (int i = 0; i < 2000; ++i) {
      const std::vector<uint8_t> input = RandomBytes(rng, rng.Next() % 200);
      DecodePrograms(target, input, s);
      ASSERT_TRUE(Validate(s).ok()) << Validate(s);
      ASSERT_TRUE(Resolve(s.config).ok());
    }
  }
}

TEST(DecoderTest, EmptyInputIsAValidSchedule) {
  Schedule s;
  DecodePrograms(*TargetByName("zram"), {}, s);
  EXPECT_TRUE(Validate(s).ok());
  EXPECT_EQ(s.cpus.size(), 2u);
  EXPECT_TRUE(DecisionBytes({}).empty());
}

TEST(DecoderTest, OneByteChangesOneThing) {
  Rng rng(2);
  const FuzzTarget& target = *TargetByName("zram");
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint8_t> input = RandomBytes(rng, kDecisionOffset);
    input[0] = 2;  // 4 CPUs, 2 addresses: every program slot is in use
    for (size_t i = kHeaderBytes; i < kDecisionOffset; i += 2) input[i] &= 0x0e;  // no end marker
    Schedule a, b;
    DecodePrograms(target, input, a);
    const size_t pos = kHeaderBytes + rng.Next() % kProgramBytes;
    input[pos] ^= static_cast<uint8_t>(1 + rng.Next() % 255);
    DecodePrograms(target, input, b);
    if ((pos - kHeaderBytes) % 2 == 0 &&
        target.op_table[input[pos] & 15] == OpKind::kCount) {
      continue;  // the change ended a program: a local truncation
    }
    int changed = 0;
    for (size_t cpu = 0; cpu < a.cpus.size(); ++cpu) {
      ASSERT_EQ(a.cpus[cpu].ops.size(), b.cpus[cpu].ops.size());
      for (size_t j = 0; j < a.cpus[cpu].ops.size(); ++j) {
        const Op& x = a.cpus[cpu].ops[j];
        const Op& y = b.cpus[cpu].ops[j];
        changed += x.kind != y.kind || x.va != y.va || x.arg != y.arg;
      }
    }
    EXPECT_LE(changed, 1) << "byte " << pos;
  }
}

TEST(DecoderTest, ByteDeciderPicksOnlyRunnableCpus) {
  Rng rng(3);
  Kernel k;
  for (int i = 0; i < 5000; ++i) {
    const std::vector<uint8_t> bytes = RandomBytes(rng, 8);
    ByteDecider d(bytes, static_cast<uint8_t>(rng.Next()));
    for (int j = 0; j < 10; ++j) {
      const uint32_t runnable = 1 + rng.Next() % 15;
      const int current = static_cast<int>(rng.Next() % 5) - 1;
      const int cpu = d.Pick(runnable, current, k);
      ASSERT_TRUE((runnable >> cpu) & 1u);
    }
  }
}

TEST(DecoderTest, LowDecisionBytesKeepTheCurrentCpu) {
  Kernel k;
  const std::vector<uint8_t> bytes = {0x00, 0xbf, 0xc1, 0x10};
  ByteDecider d(bytes);
  EXPECT_EQ(d.Pick(0b11, 0, k), 0);  // keep
  EXPECT_EQ(d.Pick(0b11, 1, k), 1);  // keep
  EXPECT_EQ(d.Pick(0b11, 0, k), 1);  // 0xc1: the second runnable CPU
  EXPECT_EQ(d.Pick(0b10, 0, k), 1);  // current cannot run: the only one
  EXPECT_EQ(d.Pick(0b11, 1, k), 1);  // past the end: default policy keeps it
}

// Header byte 3 picks the scheduler for the part of the run the decision
// bytes do not cover: 0 the default policy, anything else a PCT schedule
// seeded by it. Either way the same input runs the same way every time.
TEST(DecoderTest, TailByteChoosesTheSchedulerPastTheDecisions) {
  // zram table: two threads of mm 0, each writes, reclaims and reads
  // address 0; no decision bytes.
  std::vector<uint8_t> input(kDecisionOffset, 15);
  input[0] = input[1] = input[2] = input[3] = 0;
  const uint8_t program[] = {4, 0, 7, 0, 0, 0};
  for (int cpu = 0; cpu < 2; ++cpu) {
    std::copy(std::begin(program), std::end(program),
              input.begin() + kHeaderBytes + cpu * kOpsPerCpu * 2);
  }
  FuzzRunner runner(*TargetByName("mainline"));
  auto hash_with_tail = [&](uint8_t tail) {
    input[kTailByte] = tail;
    runner.Run(input);
    return runner.last_result().trace_hash;
  };
  // Tail 0: exactly the default policy, as before the byte had a meaning.
  const uint64_t default_policy = hash_with_tail(0);
  Schedule s;
  DecodePrograms(*TargetByName("mainline"), input, s);
  Executor ex;
  ex.Reset(*Resolve(s.config), s.cpus);
  DefaultDecider d;
  EXPECT_EQ(ex.Run(d).trace_hash, default_policy);

  int differs = 0;
  for (int tail = 1; tail < 256; ++tail) {
    SCOPED_TRACE(tail);
    const uint64_t h = hash_with_tail(static_cast<uint8_t>(tail));
    ASSERT_EQ(h, hash_with_tail(static_cast<uint8_t>(tail)));
    differs += h != default_policy;
  }
  EXPECT_GT(differs, 0);
  EXPECT_LT(differs, 255);  // some priority orders coincide with the default

  // Decisions that cover the whole run leave nothing to the tail.
  input.resize(kDecisionOffset + 400, 0x00);
  const uint64_t covered = hash_with_tail(0);
  for (uint8_t tail : {1, 77, 200}) EXPECT_EQ(hash_with_tail(tail), covered);
}

TEST(DecoderTest, PctTailStepsEstimateWhatIsLeftOfTheRun) {
  struct Case {
    const char* name;
    std::vector<int> ops_per_cpu;
    size_t decisions;
    uint64_t steps;
  };
  const Case cases[] = {
      {"no operations", {0, 0}, 0, 16},
      {"one operation", {1, 0}, 0, 16},
      {"three operations", {2, 1}, 0, 36},
      {"ten operations", {4, 3, 3}, 0, 120},
      {"ten operations, 50 decisions", {4, 3, 3}, 50, 70},
      {"three operations, decisions past the run", {2, 1}, 100, 16},
      {"every slot", {kOpsPerCpu, kOpsPerCpu, kOpsPerCpu, kOpsPerCpu}, 0, kPctTailSteps},
      {"every slot, 300 decisions", {kOpsPerCpu, kOpsPerCpu, kOpsPerCpu, kOpsPerCpu}, 300, 84},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Schedule s;
    for (int n : c.ops_per_cpu) {
      CpuProgram p;
      p.ops.resize(n);
      s.cpus.push_back(p);
    }
    EXPECT_EQ(PctTailSteps(s, c.decisions), c.steps);
  }
}

// The PCT tail starts counting where the decisions end, so its change points
// fall past them: the picks after ten "keep" bytes are the picks of the same
// tail with no decisions at all.
TEST(DecoderTest, PctTailChangePointsFallPastTheDecisions) {
  Kernel k;
  const std::vector<uint8_t> keeps(10, 0x00);
  auto tail_picks = [&](std::span<const uint8_t> decisions, uint8_t tail) {
    ByteDecider d(decisions, tail, /*tail_steps=*/3);
    int current = 0;
    for (size_t i = 0; i < decisions.size(); ++i) {
      current = d.Pick(0b111, current, k);
      d.Executed(current, StepId::kCount);
    }
    std::vector<int> picks;
    for (int i = 0; i < 6; ++i) {
      current = d.Pick(0b111, current, k);
      d.Executed(current, StepId::kCount);
      picks.push_back(current);
    }
    return picks;
  };
  int switched = 0;
  for (int tail = 1; tail < 256; ++tail) {
    SCOPED_TRACE(tail);
    const std::vector<int> alone = tail_picks({}, static_cast<uint8_t>(tail));
    EXPECT_EQ(tail_picks(keeps, static_cast<uint8_t>(tail)), alone);
    switched += std::adjacent_find(alone.begin(), alone.end(), std::not_equal_to<>()) !=
                alone.end();
  }
  EXPECT_GT(switched, 100);  // the change points do move CPUs within the tail
}

// FuzzRunner::Run() gives an input's tail the k that PctTailSteps() estimates.
TEST(DecoderTest, RunnerGivesTheTailItsEstimatedSteps) {
  std::vector<uint8_t> input(kDecisionOffset, 15);
  input[0] = input[1] = input[2] = 0;
  const uint8_t program[] = {4, 0, 7, 0, 0, 0};  // zram table: write, reclaim, read
  for (int cpu = 0; cpu < 2; ++cpu) {
    std::copy(std::begin(program), std::end(program),
              input.begin() + kHeaderBytes + cpu * kOpsPerCpu * 2);
  }
  input.insert(input.end(), {0x00, 0x00, 0xc1});
  FuzzRunner runner(*TargetByName("mainline"));
  int differs_from_k128 = 0;
  for (int tail = 1; tail < 256; ++tail) {
    SCOPED_TRACE(tail);
    input[kTailByte] = static_cast<uint8_t>(tail);
    runner.Run(input);
    const uint64_t run = runner.last_result().trace_hash;
    const std::span<const uint8_t> decisions = DecisionBytes(input);
    ByteDecider estimated(decisions, input[kTailByte],
                          PctTailSteps(runner.schedule(), decisions.size()));
    runner.RunWith(estimated, nullptr);
    EXPECT_EQ(runner.last_result().trace_hash, run);
    ByteDecider k128(decisions, input[kTailByte], kPctTailSteps);
    runner.RunWith(k128, nullptr);
    differs_from_k128 += runner.last_result().trace_hash != run;
  }
  EXPECT_GT(differs_from_k128, 0);
}

}  // namespace
}  // namespace swapfuzz
