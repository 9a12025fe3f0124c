#include "model/executor.h"

#include <gtest/gtest.h>

#include "model/schedule.h"

namespace swapfuzz {
namespace {

Op MakeOp(OpKind kind, uint8_t va = 0, uint8_t arg = 0) { return Op{kind, va, arg, 0}; }

ReplayOutput MustRun(const Schedule& s) {
  Executor ex;
  absl::StatusOr<ReplayOutput> out = RunSchedule(ex, s, "", /*keep_trace=*/true);
  EXPECT_TRUE(out.ok()) << out.status();
  return *out;
}

TEST(ExecutorTest, SwapOutAndBackKeepsData) {
  Schedule s;
  s.cpus.push_back(CpuProgram{0, {MakeOp(OpKind::kWrite, 0), MakeOp(OpKind::kReclaim, 0),
                                  MakeOp(OpKind::kRead, 0), MakeOp(OpKind::kWrite, 0),
                                  MakeOp(OpKind::kReclaim, 0), MakeOp(OpKind::kMunmap, 0)}});
  ReplayOutput out = MustRun(s);
  std::cerr << FormatTrace(out.trace);
  EXPECT_FALSE(out.finding.has_value()) << out.finding->Signature() << " "
                                        << out.finding->message.data();
}

}  // namespace
}  // namespace swapfuzz
