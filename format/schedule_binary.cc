#include "format/schedule_binary.h"

#include <algorithm>
#include <cstring>
#include <span>

#include "absl/strings/str_cat.h"
#include "format/schedule_io.h"
#include "model/config_fields.h"

namespace swapfuzz {
namespace {

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out += s;
}

// Strings may be as long as a JSON file could make them; what bounds memory is
// that a string cannot be longer than the bytes left.
constexpr size_t kMaxText = kMaxScheduleBytes;

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  size_t offset() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

  absl::Status Error(const std::string& field, const std::string& problem) const {
    return absl::InvalidArgumentError(absl::StrCat("offset ", pos_, ": ", field, ": ", problem));
  }

  absl::StatusOr<uint8_t> U8(const std::string& field) {
    if (left() < 1) return Error(field, "truncated");
    return static_cast<uint8_t>(bytes_[pos_++]);
  }

  absl::StatusOr<uint64_t> Varint(const std::string& field, uint64_t max) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (left() < 1) return Error(field, "truncated");
      const uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if (v > max) return Error(field, absl::StrCat(v, " is out of range (at most ", max, ")"));
        return v;
      }
    }
    return Error(field, "varint longer than 10 bytes");
  }

  // A count of elements that take at least one byte each.
  absl::StatusOr<size_t> Count(const std::string& field, size_t max) {
    absl::StatusOr<uint64_t> n = Varint(field, max);
    if (!n.ok()) return n.status();
    if (*n > left()) return Error(field, absl::StrCat(*n, " elements but ", left(), " bytes left"));
    return static_cast<size_t>(*n);
  }

  absl::StatusOr<std::string> String(const std::string& field, size_t max) {
    absl::StatusOr<size_t> n = Count(field, max);
    if (!n.ok()) return n.status();
    std::string s(bytes_.substr(pos_, *n));
    // The JSON reader stops a string at NUL (cereal reads C strings), so a
    // NUL would not survive conversion to JSON.
    if (s.find('\0') != std::string::npos) return Error(field, "NUL character in a string");
    pos_ += *n;
    return s;
  }

  absl::StatusOr<uint64_t> U64(const std::string& field) {
    if (left() < 8) return Error(field, "truncated");
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes_[pos_ + i]);
    pos_ += 8;
    return v;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

#define SWAPFUZZ_ASSIGN_OR_RETURN(lhs, expr) \
  auto lhs##_or = (expr);                    \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

absl::StatusOr<Schedule> Decode(Reader& r) {
  Schedule s;
  SWAPFUZZ_ASSIGN_OR_RETURN(version, r.U8("version"));
  if (version != kBinaryFormatVersion) {
    return r.Error("version", absl::StrCat("format version ", version,
                                           " is not one this build reads (", kBinaryFormatVersion,
                                           ")"));
  }
  SWAPFUZZ_ASSIGN_OR_RETURN(description, r.String("description", kMaxText));
  s.description = description;
  SWAPFUZZ_ASSIGN_OR_RETURN(profile, r.String("config.profile", kMaxText));
  if (ProfileByName(profile) == nullptr) {
    return r.Error("config.profile", absl::StrCat("unknown profile '", profile, "'"));
  }
  s.config.profile = std::string(ProfileForFile(profile));  // "mainline" stays v6.9 in files
  SWAPFUZZ_ASSIGN_OR_RETURN(nknobs, r.Count("config.knobs", kMaxText));
  for (size_t i = 0; i < nknobs; ++i) {
    SWAPFUZZ_ASSIGN_OR_RETURN(name, r.String("config.knobs.name", kMaxText));
    for (const KnobOverride& k : s.config.knobs) {
      // A JSON object cannot hold a name twice; neither can this.
      if (k.name == name) return r.Error("config.knobs.name", "repeated knob '" + name + "'");
    }
    SWAPFUZZ_ASSIGN_OR_RETURN(on, r.U8("config.knobs.value"));
    if (on > 1) return r.Error("config.knobs.value", "not 0 or 1");
    s.config.knobs.push_back({name, on == 1});
  }
  SWAPFUZZ_ASSIGN_OR_RETURN(nfields, r.Count("config.fields", 64));
  for (size_t i = 0; i < nfields; ++i) {
    SWAPFUZZ_ASSIGN_OR_RETURN(key, r.String("config.field", kMaxText));
    const ConfigField* field = ConfigFieldByName(key);
    if (field == nullptr) return r.Error("config", absl::StrCat("unknown field '", key, "'"));
    // Below the minimum is left to Validate(), as in the JSON reader.
    SWAPFUZZ_ASSIGN_OR_RETURN(value, r.Varint("config." + key, field->max));
    field->SetOrdinal(s.config, static_cast<int>(value));
  }
  SWAPFUZZ_ASSIGN_OR_RETURN(ncpus, r.Count("cpus", kMaxCpus));
  for (size_t c = 0; c < ncpus; ++c) {
    CpuProgram p;
    SWAPFUZZ_ASSIGN_OR_RETURN(mm, r.U8("cpus.mm"));
    p.mm = mm;
    SWAPFUZZ_ASSIGN_OR_RETURN(nops, r.Count("cpus.ops", kMaxOpsPerCpu));
    for (size_t i = 0; i < nops; ++i) {
      SWAPFUZZ_ASSIGN_OR_RETURN(name, r.String("op.name", kMaxText));
      const std::optional<OpKind> kind = OpByName(name);
      if (!kind) return r.Error("op.name", absl::StrCat("unknown op '", name, "'"));
      SWAPFUZZ_ASSIGN_OR_RETURN(va, r.U8("op.va"));
      SWAPFUZZ_ASSIGN_OR_RETURN(arg, r.U8("op.arg"));
      SWAPFUZZ_ASSIGN_OR_RETURN(value, r.Varint("op.value", UINT64_MAX));
      p.ops.push_back(Op{*kind, va, arg, value});
    }
    s.cpus.push_back(std::move(p));
  }
  SWAPFUZZ_ASSIGN_OR_RETURN(nsegments, r.Count("decisions", 1 << 20));
  for (size_t i = 0; i < nsegments; ++i) {
    Segment seg;
    SWAPFUZZ_ASSIGN_OR_RETURN(cpu, r.U8("decisions.cpu"));
    SWAPFUZZ_ASSIGN_OR_RETURN(steps, r.Varint("decisions.steps", UINT16_MAX));
    SWAPFUZZ_ASSIGN_OR_RETURN(through, r.String("decisions.through", kMaxText));
    seg.cpu = cpu;
    seg.steps = static_cast<uint16_t>(steps);
    if (!through.empty()) {
      seg.through = StepByName(through);
      if (!seg.through) return r.Error("decisions.through", absl::StrCat("unknown step '", through, "'"));
    }
    s.decisions.push_back(seg);
  }
  SWAPFUZZ_ASSIGN_OR_RETURN(has_expected, r.U8("expected"));
  if (has_expected > 1) return r.Error("expected", "not 0 or 1");
  if (has_expected == 1) {
    Expectation e;
    SWAPFUZZ_ASSIGN_OR_RETURN(signature, r.String("expected.signature", kMaxText));
    SWAPFUZZ_ASSIGN_OR_RETURN(hash, r.U64("expected.trace_hash"));
    SWAPFUZZ_ASSIGN_OR_RETURN(steps, r.Varint("expected.steps", INT64_MAX));  // as JSON allows
    SWAPFUZZ_ASSIGN_OR_RETURN(digest, r.String("expected.step_digest", kMaxText));
    e.step_digest = digest;
    e.signature = signature;
    e.trace_hash = hash;
    e.steps = steps;
    s.expected = e;
  }
  if (r.left() != 0) return r.Error("end", absl::StrCat(r.left(), " trailing bytes"));
  if (absl::Status v = Validate(s); !v.ok()) return r.Error("schedule", std::string(v.message()));
  return s;
}

}  // namespace

bool LooksLikeBinarySchedule(std::string_view bytes) {
  return bytes.size() >= kBinaryMagic.size() &&
         bytes.substr(0, kBinaryMagic.size()) == kBinaryMagic;
}

std::string ScheduleToBinary(const Schedule& s) {
  std::string out(kBinaryMagic);
  out += static_cast<char>(kBinaryFormatVersion);
  PutString(out, s.description);
  PutString(out, s.config.profile);
  PutVarint(out, s.config.knobs.size());
  for (const KnobOverride& k : s.config.knobs) {
    PutString(out, k.name);
    out += static_cast<char>(k.on ? 1 : 0);
  }
  const std::span<const ConfigField> fields = ConfigFields();
  PutVarint(out, fields.size());
  for (int slot = 0; slot < static_cast<int>(fields.size()); ++slot) {
    const ConfigField& f = *std::find_if(fields.begin(), fields.end(),
                                         [&](const ConfigField& c) { return c.binary_slot == slot; });
    PutString(out, f.name);
    PutVarint(out, static_cast<uint64_t>(f.Ordinal(s.config)));
  }
  PutVarint(out, s.cpus.size());
  for (const CpuProgram& p : s.cpus) {
    out += static_cast<char>(p.mm);
    PutVarint(out, p.ops.size());
    for (const Op& op : p.ops) {
      PutString(out, OpName(op.kind));
      out += static_cast<char>(op.va);
      out += static_cast<char>(op.arg);
      PutVarint(out, op.value);
    }
  }
  PutVarint(out, s.decisions.size());
  for (const Segment& seg : s.decisions) {
    out += static_cast<char>(seg.cpu);
    PutVarint(out, seg.steps);
    PutString(out, seg.through ? StepName(*seg.through) : std::string_view());
  }
  out += static_cast<char>(s.expected ? 1 : 0);
  if (s.expected) {
    PutString(out, s.expected->signature);
    for (int i = 0; i < 8; ++i) out += static_cast<char>((s.expected->trace_hash >> (8 * i)) & 0xff);
    PutVarint(out, s.expected->steps);
    PutString(out, s.expected->step_digest);
  }
  return out;
}

absl::StatusOr<Schedule> ParseScheduleBinary(std::string_view bytes) {
  if (!LooksLikeBinarySchedule(bytes)) {
    return absl::InvalidArgumentError("offset 0: magic: not a binary swapfuzz schedule");
  }
  Reader r(bytes.substr(kBinaryMagic.size()));
  absl::StatusOr<Schedule> s = Decode(r);
  if (!s.ok()) {
    // Report offsets from the start of the file, not of the body.
    std::string msg(s.status().message());
    if (msg.rfind("offset ", 0) == 0) {
      const size_t end = msg.find(':');
      const size_t at = std::stoul(msg.substr(7, end - 7)) + kBinaryMagic.size();
      msg = absl::StrCat("offset ", at, msg.substr(end));
    }
    return absl::InvalidArgumentError(msg);
  }
  return s;
}

}  // namespace swapfuzz
