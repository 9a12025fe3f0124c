// The function table (model/steps.h SWAPFUZZ_FUNCTIONS): its machine column
// agrees with where the model runs each function. tests/CMakeLists.txt also
// checks that a row without its class does not compile.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/decoder.h"
#include "base/rng.h"
#include "model/executor.h"
#include "model/schedule.h"
#include "model/steps.h"

namespace swapfuzz {
namespace {

// Every step belongs to a function that either has a machine or runs inside
// its caller's step (kInStep); none belongs to the "-" placeholder.
TEST(FnTableTest, EveryStepBelongsToAMachineOrAnInStepFunction) {
  for (int i = 0; i < static_cast<int>(StepId::kCount); ++i) {
    const StepId step = static_cast<StepId>(i);
    const Fn fn = StepFn(step);
    SCOPED_TRACE(std::string(StepName(step)));
    EXPECT_NE(fn, Fn::kNone);
    const bool in_step = !FnHasMachine(fn);
    EXPECT_TRUE(FnHasMachine(fn) || in_step);
  }
}

// An op runs as a frame of its function, so that function needs a machine.
TEST(FnTableTest, EveryOpStartsAFunctionWithAMachine) {
  for (int i = 0; i < static_cast<int>(OpKind::kCount); ++i) {
    const OpKind op = static_cast<OpKind>(i);
    EXPECT_TRUE(FnHasMachine(OpFn(op))) << OpName(op) << " starts " << FnName(OpFn(op));
  }
}

// Checks, around every step of a run, that the tables say what the model does:
// every frame on a call stack belongs to a function with a machine, an op's
// bottom frame is of the function its row names, and a step of a function with
// a machine is taken by a frame of that function (still on the stack, or popped
// by the step itself).
class TableCheckingDecider final : public Decider {
 public:
  TableCheckingDecider(Decider& inner, const Kernel& k) : inner_(inner), k_(k) {}

  int Pick(uint32_t runnable, int current, const Kernel& k) override {
    for (const Cpu& c : k.cpus) {
      if (c.depth > 0) {
        EXPECT_EQ(c.frames[0].fn, OpFn(c.program[c.op_index].kind))
            << "op " << OpName(c.program[c.op_index].kind) << " runs "
            << FnName(c.frames[0].fn);
      }
      for (int d = 0; d < c.depth; ++d) {
        EXPECT_TRUE(FnHasMachine(c.frames[d].fn))
            << FnName(c.frames[d].fn) << " has a frame but no machine";
      }
    }
    return inner_.Pick(runnable, current, k);
  }

  void Executed(int cpu, StepId step) override {
    const Fn fn = StepFn(step);
    if (FnHasMachine(fn) && cpu != kIrqCpu) {
      bool found = false;
      for (const Frame& f : k_.cpus[cpu].frames) found |= f.fn == fn;
      EXPECT_TRUE(found) << StepName(step) << " taken without a frame of " << FnName(fn);
    }
    ++steps_;
    inner_.Executed(cpu, step);
  }

  uint64_t steps() const { return steps_; }

 private:
  Decider& inner_;
  const Kernel& k_;
  uint64_t steps_ = 0;
};

TEST(FnTableTest, MachineColumnMatchesTheRuns) {
  Executor executor;
  uint64_t steps = 0;
  for (const FuzzTarget& target : AllTargets()) {
    SCOPED_TRACE(std::string(target.name));
    const RunConfig base = *Resolve(target.base);
    Rng rng(0x7ab1e ^ target.name.size());
    for (int n = 0; n < 300; ++n) {
      std::vector<uint8_t> input(kDecisionOffset + rng.Below(192));
      for (uint8_t& b : input) b = static_cast<uint8_t>(rng.Next() >> 56);
      Schedule s;
      DecodePrograms(target, input, s);
      RunConfig config = base;
      config.nslots = static_cast<int16_t>(s.config.nslots);
      config.page_cluster = static_cast<uint8_t>(s.config.page_cluster);
      config.slots_cache_size = static_cast<uint8_t>(s.config.slots_cache_size);
      ByteDecider bytes(DecisionBytes(input));
      executor.Reset(config, s.cpus);
      TableCheckingDecider checking(bytes, executor.kernel());
      executor.Run(checking);
      steps += checking.steps();
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(steps, 10000u);
}

}  // namespace
}  // namespace swapfuzz
