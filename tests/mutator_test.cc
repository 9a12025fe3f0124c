// Tests for fuzz/mutator.h: the structure-aware mutator and crossover.

#include "fuzz/mutator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/decoder.h"

namespace swapfuzz {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Mutate(Bytes in, size_t max_size, uint32_t seed) {
  const size_t size = in.size();
  in.resize(std::max(max_size, size));
  in.resize(MutateSchedule(in.data(), size, max_size, seed));
  return in;
}

// Two CPUs writing, reclaiming and reading address 0, with three decisions.
Bytes AnInput() {
  Bytes b(kDecisionOffset, 15);  // every op slot an end marker
  b[0] = b[1] = b[2] = b[3] = 0;
  const uint8_t program[] = {4, 0, 7, 0, 0, 0};  // write, reclaim, read (zram table)
  for (int cpu = 0; cpu < 2; ++cpu) {
    std::copy(std::begin(program), std::end(program),
              b.begin() + kHeaderBytes + cpu * kOpsPerCpu * 2);
  }
  b.insert(b.end(), {0x10, 0xc1, 0x20});
  return b;
}

TEST(MutatorTest, SameSeedSameResult) {
  for (uint32_t seed : {0u, 1u, 77u, 123456u}) {
    SCOPED_TRACE(seed);
    EXPECT_EQ(Mutate(AnInput(), 512, seed), Mutate(AnInput(), 512, seed));
  }
}

TEST(MutatorTest, StaysWithinBoundsAndKeepsTheLayout) {
  struct Case {
    const char* name;
    Bytes input;
    size_t max_size;
  };
  const Case cases[] = {
      {"empty input", {}, 512},
      {"short input", {1, 2, 3}, 512},
      {"full input", AnInput(), 512},
      {"no room for decisions", AnInput(), kDecisionOffset + 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (uint32_t seed = 0; seed < 2000; ++seed) {
      const Bytes out = Mutate(c.input, c.max_size, seed);
      ASSERT_LE(out.size(), c.max_size) << "seed " << seed;
      ASSERT_GE(out.size(), kDecisionOffset) << "seed " << seed;  // padded to whole programs
    }
  }
  // Too small for even the programs: left alone.
  const Bytes tiny = {9, 9};
  EXPECT_EQ(Mutate(tiny, kDecisionOffset - 1, 5), tiny);
}

TEST(MutatorTest, EveryKindOfEditHappens) {
  const Bytes in = AnInput();
  bool program_changed = false, header_changed = false, decisions_grew = false,
       deep_preemption = false, decision_changed = false;
  int only_the_tail = 0;
  for (uint32_t seed = 0; seed < 5000; ++seed) {
    const Bytes out = Mutate(in, 512, seed);
    program_changed |= !std::equal(in.begin() + kHeaderBytes, in.begin() + kDecisionOffset,
                                   out.begin() + kHeaderBytes);
    header_changed |= !std::equal(in.begin(), in.begin() + kHeaderBytes, out.begin());
    decisions_grew |= out.size() > in.size();
    decision_changed |= !std::equal(in.begin() + kDecisionOffset, in.end(),
                                    out.begin() + kDecisionOffset);
    // A fresh PCT tail for the same program and decisions.
    Bytes retailed = in;
    retailed[kTailByte] = out[kTailByte];
    only_the_tail += out != in && out == retailed && out[kTailByte] != 0;
    // A switch placed far beyond the old decisions in one call, with only
    // "keep" bytes leading up to it.
    if (out.size() > in.size() + 64 && out.back() >= 0xc0) {
      deep_preemption |= std::all_of(out.begin() + in.size(), out.end() - 1,
                                     [](uint8_t b) { return b < 0xc0; });
    }
  }
  EXPECT_TRUE(program_changed);
  EXPECT_TRUE(header_changed);
  EXPECT_TRUE(decisions_grew);
  EXPECT_TRUE(decision_changed);
  EXPECT_TRUE(deep_preemption);
  // A quarter of the calls draw only a fresh tail; other edits touch byte 3
  // alone about once in a hundred.
  EXPECT_GT(only_the_tail, 5000 / 8);
}

TEST(MutatorTest, PlacesTheNextPreemptionPastLongDecisions) {
  // 250 decisions: past the reach of a preemption placed from the start of
  // the decisions, so a switch after a gap of "keep" bytes beyond them comes
  // from the edit that extends a schedule by one more preemption.
  Bytes in = AnInput();
  in.resize(kDecisionOffset + 250, 0x10);
  bool next_preemption = false;
  for (uint32_t seed = 0; seed < 5000 && !next_preemption; ++seed) {
    const Bytes out = Mutate(in, 512, seed);
    next_preemption = out.size() >= in.size() + 3 && out.back() >= 0xc0 &&
                      std::equal(in.begin() + kHeaderBytes, in.end(), out.begin() + kHeaderBytes) &&
                      std::all_of(out.begin() + in.size(), out.end() - 1,
                                  [](uint8_t b) { return b < 0xc0; });
  }
  EXPECT_TRUE(next_preemption);
}

TEST(MutatorTest, GivesEmptyProgramsOperations) {
  // An input whose programs are all end markers can only gain operations
  // through edits that choose real ones: some output must have a program.
  Bytes empty_programs(kDecisionOffset, 15);
  bool gained = false;
  for (uint32_t seed = 0; seed < 200 && !gained; ++seed) {
    const Bytes out = Mutate(empty_programs, 512, seed);
    Schedule s;
    DecodePrograms(*TargetByName("zram"), out, s);
    for (const CpuProgram& p : s.cpus) gained |= !p.ops.empty();
  }
  EXPECT_TRUE(gained);
}

// The program bytes of `cpu` in `b`.
Bytes ProgramOf(const Bytes& b, int cpu) {
  const size_t at = kHeaderBytes + cpu * kOpsPerCpu * 2;
  return Bytes(b.begin() + at, b.begin() + at + kOpsPerCpu * 2);
}

Bytes CrossOver(const Bytes& a, const Bytes& b, uint32_t seed) {
  Bytes out(512);
  out.resize(CrossOverSchedules(a.data(), a.size(), b.data(), b.size(), out.data(), out.size(),
                                seed));
  return out;
}

TEST(MutatorTest, CrossOverRunsBothParentsCpusSideBySide) {
  struct Case {
    const char* name;
    uint8_t a_cpus_byte, b_cpus_byte;  // header byte 0: 2 + (b & 3) % 3 CPUs
    int joined;                        // how many of b's CPUs fit next to a's
  };
  const Case cases[] = {
      {"2 + 2", 0, 0, 2},
      {"2 + 3", 0, 1, 2},
      {"3 + 2", 1, 0, 1},
      {"3 + 4", 1, 2, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes a = AnInput();
    a[0] = c.a_cpus_byte | 0x0c;  // and the most addresses, which must stay
    a[2] = 0b1010;                // CPU 1 (and 3, if it exists) on mm 1
    Bytes b(kDecisionOffset + 5, 0x33);
    b[0] = c.b_cpus_byte;
    b[2] = 0b0101;  // b's CPUs 0 and 2 on mm 1
    const int a_cpus = DecodedCpus(a[0]), b_cpus = DecodedCpus(b[0]);
    for (int cpu = 0; cpu < b_cpus; ++cpu) b[kHeaderBytes + cpu * kOpsPerCpu * 2] = cpu;
    bool tails_differ = false;
    uint8_t first_tail = 0;
    for (uint32_t seed = 0; seed < 100; ++seed) {
      SCOPED_TRACE(seed);
      const Bytes out = CrossOver(a, b, seed);
      // a's decisions, and a's CPUs running their own programs on their mms.
      ASSERT_EQ(out.size(), a.size());
      EXPECT_TRUE(std::equal(a.begin() + kDecisionOffset, a.end(), out.begin() + kDecisionOffset));
      EXPECT_EQ(DecodedCpus(out[0]), a_cpus + c.joined);
      EXPECT_EQ(out[0] >> 2, a[0] >> 2);
      EXPECT_EQ(out[1], a[1]);
      for (int cpu = 0; cpu < a_cpus; ++cpu) {
        EXPECT_EQ(ProgramOf(out, cpu), ProgramOf(a, cpu));
        EXPECT_EQ((out[2] >> cpu) & 1, (a[2] >> cpu) & 1);
      }
      // Then b's CPUs in turn from one of them, each with its program and mm.
      const int first = ProgramOf(out, a_cpus)[0];
      ASSERT_LT(first, b_cpus);
      for (int j = 0; j < c.joined; ++j) {
        const int from = (first + j) % b_cpus;
        EXPECT_EQ(ProgramOf(out, a_cpus + j), ProgramOf(b, from));
        EXPECT_EQ((out[2] >> (a_cpus + j)) & 1, (b[2] >> from) & 1);
      }
      // A PCT tail, never the default policy that would run b's CPUs last.
      EXPECT_NE(out[kTailByte], 0);
      if (seed == 0) first_tail = out[kTailByte];
      tails_differ |= out[kTailByte] != first_tail;
    }
    EXPECT_TRUE(tails_differ);
  }
}

TEST(MutatorTest, CrossOverOfAFullInputTakesProgramsFromOneParentAndDecisionsFromTheOther) {
  Bytes a = AnInput();
  a[0] = 2;  // kMaxCpus CPUs: no room for b's
  Bytes b(kDecisionOffset + 5, 0x33);
  for (uint32_t seed = 0; seed < 200; ++seed) {
    SCOPED_TRACE(seed);
    const Bytes out = CrossOver(a, b, seed);
    ASSERT_EQ(out.size(), b.size());
    EXPECT_TRUE(std::equal(b.begin() + kDecisionOffset, b.end(), out.begin() + kDecisionOffset));
    EXPECT_TRUE(std::equal(a.begin(), a.begin() + kHeaderBytes, out.begin()));
    // Each CPU's program comes whole from a or from b, and at most one from b.
    int from_b = 0;
    for (int cpu = 0; cpu < kMaxCpus; ++cpu) {
      const bool is_a = ProgramOf(out, cpu) == ProgramOf(a, cpu);
      const bool is_b = ProgramOf(out, cpu) == ProgramOf(b, cpu);
      EXPECT_TRUE(is_a || is_b);
      from_b += is_b && !is_a;
    }
    EXPECT_LE(from_b, 1);
  }
}

}  // namespace
}  // namespace swapfuzz
