// The FILE operand: a schedule in any of its three forms, and the -o writer.
#ifndef SWAPFUZZ_CLI_SCHEDULE_INPUT_H_
#define SWAPFUZZ_CLI_SCHEDULE_INPUT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/cli.h"
#include "model/schedule.h"

namespace swapfuzz::cli {

// The model fuzz targets' names, "zram, zswap, ..., mainline_zram_zswap", from
// their table (fuzz/targets.h).
std::string TargetNames(absl::string_view separator = ", ");

// Reads `file` (through Env::Default()) as one of three forms: a JSON
// schedule, a binary schedule, or the raw input of a fuzz target, decoded and
// run once to record its decisions. The target of a raw input is
// `target_flag` (--target) or else the "<target>-" prefix libFuzzer's
// -artifact_prefix gives the file name.
//
// Without a target, the file must be a schedule. With one, a file that does
// not parse as a schedule (JSON or binary) is read as a raw input of that
// target: about one raw input in 256 starts with "{". A file that does parse
// is read as a schedule, and a one-line note on stderr says so.
//
// Errors are one line starting with `file` ("FILE: is a directory",
// "FILE: cannot open: ...", "FILE: empty file", a parse error), except an
// unknown `target_flag` ("--target: unknown target 'T' ...").
absl::StatusOr<Schedule> ReadAnySchedule(const std::string& file, const std::string& target_flag);

// ReadAnySchedule() with the invocation's --target, then --profile and --knob
// applied on top of the file's config.
absl::StatusOr<Schedule> LoadSchedule(const std::string& file, const Invocation& inv);

// Applies --profile and --knob to `config`. A --knob replaces the file's
// setting of the same knob.
absl::Status ApplyOverrides(const Invocation& inv, ScheduleConfig& config);

// Writes a schedule as JSON when `path` ends in .json, else as binary,
// atomically either way.
absl::Status WriteAnySchedule(const std::string& path, const Schedule& s);

}  // namespace swapfuzz::cli

#endif  // SWAPFUZZ_CLI_SCHEDULE_INPUT_H_
