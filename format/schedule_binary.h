// The compact binary schedule format.
//
// Same content as the JSON format (format/schedule_io.h), a tenth of the size,
// for corpora and attachments. Layout (integers are LEB128 varints unless
// noted; strings are a varint length then bytes):
//
//   "SWPF"  magic (4 bytes)
//   u8      format version (1)
//   string  description
//   config: string profile; varint n, then n x (string knob name, u8 on);
//           varint n, then n x (string key, varint value) for the other
//           fields, by the names docs/schedule-format.md gives them. The
//           value is the field's ordinal (model/config_fields.h: an integer
//           itself, a boolean 0 or 1, backend 0 zram or 1 disk). The writer
//           writes every field, in the order of the table's binary slots
//           (backend first, then the others in JSON order); the reader takes
//           them in any order.
//   varint  CPUs, then per CPU: u8 mm; varint n ops, then n x (string op name,
//           u8 va, u8 arg, varint value)
//   varint  segments, then per segment: u8 cpu, varint steps, string through
//           (empty for none; a step name as the trace prints it)
//   u8      has expected; if 1: string signature, u64 trace hash (little
//           endian), varint steps, string step digest (may be empty)
//
// Names rather than numbers for ops, steps and knobs keep files valid when the
// model's tables grow. The reader is bounded: every count is checked against
// the bytes left before anything is allocated, every value against its range,
// and errors name the byte offset and the field.

#ifndef SWAPFUZZ_FORMAT_SCHEDULE_BINARY_H_
#define SWAPFUZZ_FORMAT_SCHEDULE_BINARY_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "model/schedule.h"

namespace swapfuzz {

inline constexpr std::string_view kBinaryMagic = "SWPF";
inline constexpr int kBinaryFormatVersion = 1;

// True when `bytes` starts with the binary magic.
bool LooksLikeBinarySchedule(std::string_view bytes);

// Encodes a schedule that passes Validate().
std::string ScheduleToBinary(const Schedule& schedule);

// Decodes and validates. Errors read "offset N: <field>: <problem>".
absl::StatusOr<Schedule> ParseScheduleBinary(std::string_view bytes);

}  // namespace swapfuzz

#endif  // SWAPFUZZ_FORMAT_SCHEDULE_BINARY_H_
