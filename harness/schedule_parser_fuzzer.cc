// Fuzzes the schedule file parsers, JSON and binary: any bytes must give a
// schedule that validates, or an error status; never a crash, a sanitizer
// report or an allocation proportional to a number in the input. Parsed
// schedules are also written back and run (bounded by the step budget).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/schedule.h"
#include "format/schedule_binary.h"
#include "format/schedule_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static swapfuzz::Executor* executor = new swapfuzz::Executor;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool binary = swapfuzz::LooksLikeBinarySchedule(bytes);
  absl::StatusOr<swapfuzz::Schedule> s =
      binary ? swapfuzz::ParseScheduleBinary(bytes) : swapfuzz::ParseScheduleJson(bytes);
  if (!s.ok()) return 0;
  // What parses must write out and parse back to the same schedule.
  const std::string json = swapfuzz::ScheduleToJson(*s);
  absl::StatusOr<swapfuzz::Schedule> again = swapfuzz::ParseScheduleJson(json);
  if (!again.ok() || swapfuzz::ScheduleToJson(*again) != json) std::abort();
  absl::StatusOr<swapfuzz::Schedule> from_binary =
      swapfuzz::ParseScheduleBinary(swapfuzz::ScheduleToBinary(*s));
  if (!from_binary.ok() || swapfuzz::ScheduleToJson(*from_binary) != json) std::abort();
  (void)swapfuzz::RunSchedule(*executor, *s);
  return 0;
}
