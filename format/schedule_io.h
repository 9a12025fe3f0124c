// File: format/schedule_io.h
//
// Saved schedules: reading and writing the JSON files that `swapfuzz replay`
// runs, the fuzzer writes its reproducers to, and corpus/regressions/ holds.
// docs/schedule-format.md describes the format field by field; in short:
//
//   {
//     "format": "swapfuzz-schedule",
//     "version": 2,
//     "description": "free text",
//     "config": {"profile": "v5.16", "knobs": {"free_notify_on_read": true}},
//     "cpus": [{"mm": 0, "ops": ["write 0", "reclaim 0", "read 0"]},
//              {"mm": 0, "ops": ["read 0"]}],
//     "decisions": [{"cpu": 0, "through": "do_swap_page: lock_page"},
//                   {"cpu": 1, "steps": 3},
//                   {"cpu": 0}],
//     "expected": {"signature": "", "trace_hash": "0x1234abcd5678ef00", "steps": 42}
//   }
//
// Example:
//
//   absl::StatusOr<Schedule> s = ReadScheduleFile("corpus/regressions/x.json");
//   if (!s.ok()) {
//     std::cerr << s.status().message() << "\n";  // "corpus/regressions/x.json: ..."
//     return 2;
//   }
//
// cereal parses and writes the JSON. Nothing in this header throws: every
// cereal exception is caught inside replay/ and returned as a status.

#ifndef SWAPFUZZ_FORMAT_SCHEDULE_IO_H_
#define SWAPFUZZ_FORMAT_SCHEDULE_IO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/schedule.h"

namespace swapfuzz {

// The format version this build writes, and the newest it reads. Files of an
// older version are still read; a version that changes the meaning of a field
// must bump this and keep a loader for every older version.
// Version 2 added the config fields memcg, memcg_mms and memcg_max; version 3
// swap_devices, nslots1, backend1, prio0 and prio1; version 4 mthp_order and
// memcg_zswap_writeback; version 5 shmem_huge_order.
inline constexpr int kScheduleFormatVersion = 5;

// The largest document ParseScheduleJson() accepts, in bytes.
inline constexpr size_t kMaxScheduleBytes = 1 << 20;

// A trace hash as the files and the command line write it: "0x" and 16
// lowercase hex digits.
std::string HashToString(uint64_t hash);

// ParseScheduleJson()
//
// Parses a schedule document and checks it with Validate(). The parser checks
// every value's type, the op grammar, and that every number fits its field;
// Validate() then checks the model's bounds. The profile must be one of
// AllProfiles(); knob names are not checked here (Resolve() reports an unknown
// one when the schedule runs), but their values must be booleans. Unknown and
// repeated fields are errors, so a misspelt field is reported instead of
// silently taking its default.
//
// Any input gives a schedule or an InvalidArgument status whose message is one
// line naming the field and the problem, e.g. "cpus[1].ops[0]: unknown op
// "raed"". The input is never trusted: sizes, nesting and every number are
// bounded before use, so no input can crash the parser, exhaust its stack or
// make it allocate in proportion to a number it contains.
absl::StatusOr<Schedule> ParseScheduleJson(std::string_view text);

// ScheduleToJson()
//
// Returns `schedule` as a version-1 document: indented, fields always in the
// order of docs/schedule-format.md, ending with a newline. Every config field
// is written, defaults included; "expected" only when the schedule has one.
// Ops are written in their canonical form ("write 2 0x2a"); fields an op kind
// does not use are dropped. ParseScheduleJson() of the result gives the
// schedule back.
//
// `schedule` must pass Validate(); WriteScheduleFile() checks that first.
std::string ScheduleToJson(const Schedule& schedule);

// ReadScheduleFile()
//
// Reads and parses the schedule file at `path`. On failure the status message
// is one line that starts with `path`, e.g.
//
//   corpus/x.json: config.profile: unknown profile 'v9'
//   x.json: not a swapfuzz schedule (missing "format")
//   x.json: format version 7 is newer than this build supports (1)
//   x.json: empty file
//   x.json: malformed JSON at line 3, column 14
//
// A file that cannot be opened or read gives the errno-derived status code;
// a file whose contents are wrong gives InvalidArgument.
absl::StatusOr<Schedule> ReadScheduleFile(const std::string& path);

// WriteScheduleFile()
//
// Writes ScheduleToJson(schedule) to `path`, replacing any existing file
// atomically: the text goes to "<path>.tmp.<pid>", which is flushed to disk and
// then renamed over `path`. On failure `path` is left as it was and the
// temporary file is removed. A schedule that ReadScheduleFile() would reject
// (it fails Validate() or names an unknown profile) is not written. Error
// messages start with `path`.
absl::Status WriteScheduleFile(const std::string& path, const Schedule& schedule);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FORMAT_SCHEDULE_IO_H_
