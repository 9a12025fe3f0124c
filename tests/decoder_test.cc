#include "fuzz/decoder.h"

#include <vector>

#include <gtest/gtest.h>

#include "fuzz/rng.h"

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
    ByteDecider d(bytes);
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

}  // namespace
}  // namespace swapfuzz
