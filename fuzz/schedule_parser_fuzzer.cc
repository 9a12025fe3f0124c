// Fuzzes the schedule file parser: any bytes must give a schedule that
// validates, or an error status; never a crash, a sanitizer report or an
// allocation proportional to a number in the input. Parsed schedules are run,
// bounded by the executor's step budget.

#include <cstdint>
#include <string_view>

#include "model/schedule.h"
#include "replay/schedule_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static swapfuzz::Executor* executor = new swapfuzz::Executor;
  absl::StatusOr<swapfuzz::Schedule> s =
      swapfuzz::ParseScheduleJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!s.ok()) return 0;
  (void)swapfuzz::RunSchedule(*executor, *s);
  return 0;
}
