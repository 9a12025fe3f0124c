#include "format/schedule_io.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/file.h"
#include "base/json_string.h"
#include "cereal/archives/json.hpp"
#include "model/config_fields.h"
#include "model/knobs.h"
#include "model/steps.h"
#include "model/types.h"

namespace swapfuzz {
namespace {

constexpr char kFormatName[] = "swapfuzz-schedule";
// rapidjson parses recursively, so nesting is bounded before it runs. A
// schedule nests four levels deep.
constexpr int kMaxNesting = 16;

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// `s` as a JSON string literal, so that a message stays on one line.
std::string Quoted(absl::string_view s) { return JsonQuote({s.data(), s.size()}); }

absl::Status Prefixed(absl::string_view prefix, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(prefix, ": ", status.message()));
}

// Validate(), plus what a file needs that Validate() leaves to Resolve(): a
// known profile. (Knob names are left to Resolve(), as ParseScheduleJson()
// promises.)
absl::Status CheckSchedule(const Schedule& schedule) {
  if (absl::Status s = Validate(schedule); !s.ok()) return s;
  if (ProfileByName(schedule.config.profile) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.profile: unknown profile '", schedule.config.profile, "'"));
  }
  return absl::OkStatus();
}

// "line L, column C" of byte `offset` of `text`.
std::string Position(absl::string_view text, size_t offset) {
  const absl::string_view before = text.substr(0, offset);
  const size_t line_start = before.rfind('\n');
  const size_t column =
      line_start == absl::string_view::npos ? before.size() + 1 : before.size() - line_start;
  return absl::StrCat("line ", std::count(before.begin(), before.end(), '\n') + 1, ", column ",
                      column);
}

// Rejects what rapidjson 1.1.0 must not be given: nesting deeper than
// kMaxNesting, on which its recursive parser could exhaust the stack, and any
// number that is not an integer (a fraction, an exponent, NaN or Infinity),
// whose conversion has undefined behaviour for some inputs ("0e132" passes
// zero to __builtin_clzll). Schedules hold integers only, so outside strings a
// schedule has nothing but whitespace, punctuation, integers and the letters of
// true, false and null. Whether the text is valid JSON is left to rapidjson.
absl::Status CheckBeforeParsing(absl::string_view text) {
  constexpr absl::string_view kOutsideStrings = " \t\r\n{}[],:-0123456789aeflnrstu";
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxNesting) {
        return absl::InvalidArgumentError(
            absl::StrCat("nested more than ", kMaxNesting, " deep at ", Position(text, i)));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(text[i - 1])) &&
               (c == '.' || c == 'e' || c == 'E')) {
      return absl::InvalidArgumentError(absl::StrCat("non-integer number at ", Position(text, i)));
    } else if (kOutsideStrings.find(c) == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("malformed JSON at ", Position(text, i)));
    }
  }
  return absl::OkStatus();
}

// The error for a document rapidjson could not parse. rapidjson reads the
// stream one character at a time and stops at the error, so the stream
// position is where the document went wrong.
absl::Status MalformedJson(absl::string_view text, std::istream& in) {
  in.clear();
  const std::streamoff pos = in.tellg();
  if (pos < 0 || static_cast<size_t>(pos) >= text.size()) {
    return absl::InvalidArgumentError("malformed JSON: unexpected end of file");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("malformed JSON at ", Position(text, static_cast<size_t>(pos))));
}

// A decimal number, or a hexadecimal one after "0x", that is all of `word`.
std::optional<uint64_t> ParseNumber(absl::string_view word) {
  int base = 10;
  if (absl::StartsWith(word, "0x") || absl::StartsWith(word, "0X")) {
    word.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  const char* end = word.data() + word.size();
  const std::from_chars_result r = std::from_chars(word.data(), end, value, base);
  if (word.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return value;
}

// One op of a CPU program from its text: "<op> [va] [arg] [value]". The op
// table (OpTakesVa(), OpArgLimit(), OpTakesValue()) says which operands an op
// takes.
absl::StatusOr<Op> ParseOp(const std::string& text) {
  const std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (words.empty()) return absl::InvalidArgumentError("empty op");
  const std::optional<OpKind> kind = OpByName(std::string_view(words[0].data(), words[0].size()));
  if (!kind) {
    std::vector<std::string> names;
    for (int i = 0; i < static_cast<int>(OpKind::kCount); ++i) {
      names.emplace_back(OpName(static_cast<OpKind>(i)));
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown op ", Quoted(words[0]), " (expected ",
                                                   absl::StrJoin(names, ", "), ")"));
  }
  Op op;
  op.kind = *kind;
  size_t next = 1;
  // Reads the next word as an operand below `limit`.
  auto operand = [&](const char* what, int limit, uint8_t& out) -> absl::Status {
    const std::string range = absl::StrCat(what, " from 0 to ", limit - 1);
    if (next == words.size()) {
      return absl::InvalidArgumentError(absl::StrCat(Quoted(text), ": missing ", range));
    }
    const absl::string_view word = words[next++];
    const std::optional<uint64_t> value = ParseNumber(word);
    if (!value || *value >= static_cast<uint64_t>(limit) || *value > UINT8_MAX) {
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted(text), ": expected ", range, ", got ", Quoted(word)));
    }
    out = static_cast<uint8_t>(*value);
    return absl::OkStatus();
  };
  if (OpTakesVa(op.kind)) {
    if (absl::Status s = operand("a va", kMaxVas, op.va); !s.ok()) return s;
  }
  if (OpArgLimit(op.kind) > 0) {
    if (absl::Status s = operand("an argument", OpArgLimit(op.kind), op.arg); !s.ok()) return s;
  }
  if (OpTakesValue(op.kind) && next < words.size()) {
    const std::optional<uint64_t> value = ParseNumber(words[next]);
    if (!value) {
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted(text), ": value ", Quoted(words[next]), " is not a 64-bit number"));
    }
    op.value = *value;
    ++next;
  }
  if (next < words.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quoted(text), ": unexpected ", Quoted(words[next])));
  }
  return op;
}

// The canonical text of `op`, which ParseOp() reads back.
std::string OpToString(const Op& op) {
  std::string out(OpName(op.kind));
  if (OpTakesVa(op.kind)) absl::StrAppend(&out, " ", static_cast<int>(op.va));
  if (OpArgLimit(op.kind) > 0) absl::StrAppend(&out, " ", static_cast<int>(op.arg));
  if (OpTakesValue(op.kind) && op.value != 0)
    absl::StrAppend(&out, absl::StrFormat(" %#x", op.value));
  return out;
}

// Where the loader is in the document. It outlives the archive, so that an
// exception cereal throws can be reported against the field being read.
struct Cursor {
  std::string path;      // e.g. "cpus[1].ops[3]"; empty at the top level
  std::string expected;  // what the value at `path` must be, e.g. "a string"

  absl::Status Error(absl::string_view problem) const {
    if (path.empty()) return absl::InvalidArgumentError(problem);
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
  }
};

// Builds a Schedule from a document cereal has parsed, one field at a time.
//
// cereal cannot tell what type a value has: reading a value as the wrong type
// throws cereal::RapidJSONException. The loader lets those exceptions through,
// having recorded in the cursor where it is and what it expects, and
// WithLoader() turns them into a status. Every other problem the loader
// returns as a status itself.
class Loader {
 public:
  Loader(cereal::JSONInputArchive& archive, Cursor& cursor) : ar_(archive), cursor_(cursor) {}

  // Reads "format" and "version" wherever they are in the top-level object
  // and checks them; sets `version`.
  absl::Status LoadHeader(int64_t& version);
  // Reads the whole document as a version-1 schedule.
  absl::Status LoadV1(Schedule& schedule);

 private:
  absl::Status LoadConfig(ScheduleConfig& config);
  absl::Status LoadCpu(CpuProgram& program);
  absl::Status LoadDecision(Segment& segment);
  absl::Status LoadExpectation(Expectation& expected);

  // Calls `load_field(name)` for each field of the current object in document
  // order. `load_field` must read exactly that field's value. Repeated names
  // are errors.
  template <typename Fn>
  absl::Status ForEachField(Fn&& load_field);
  // Reads an object, calling `load_field(name)` for each of its fields.
  template <typename Fn>
  absl::Status LoadObject(Fn&& load_field);
  // Reads an array, calling `load_element()` for each of its elements.
  template <typename Fn>
  absl::Status LoadArray(Fn&& load_element);
  // Looks up the top-level field `name` and reads it. Returns false if there
  // is no such field.
  template <typename T>
  bool LoadTopLevel(const char* name, T& value);
  std::string LoadString();
  bool LoadBool();
  // Reads an integer from `lo` to `hi` into `out`.
  template <typename T>
  absl::Status LoadInt(int64_t lo, int64_t hi, T& out);
  // Reads a non-negative integer that fits `out`. Validate() checks the
  // bounds the model needs.
  template <typename T>
  absl::Status LoadCount(T& out) {
    return LoadInt(0, std::numeric_limits<T>::max(), out);
  }
  // Whether the node just started is an array.
  bool AtArray();

  void Expect(std::string what) { cursor_.expected = std::move(what); }
  void PushField(absl::string_view name);
  void PushIndex(size_t index);
  void Pop();
  absl::Status Error(absl::string_view problem) const { return cursor_.Error(problem); }

  cereal::JSONInputArchive& ar_;
  Cursor& cursor_;
  std::vector<size_t> marks_;  // lengths of cursor_.path to return to
};

absl::Status Loader::LoadHeader(int64_t& version) {
  std::string format;
  cursor_.path = "format";
  Expect("a string");
  if (!LoadTopLevel("format", format)) {
    return absl::InvalidArgumentError("not a swapfuzz schedule (missing \"format\")");
  }
  if (format != kFormatName) {
    return absl::InvalidArgumentError(absl::StrCat("not a swapfuzz schedule (format is ",
                                                   Quoted(format), ", not \"", kFormatName, "\")"));
  }
  cursor_.path = "version";
  Expect("an integer");
  if (!LoadTopLevel("version", version)) return Error("missing");
  if (version > kScheduleFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat("format version ", version,
                                                   " is newer than this build supports (",
                                                   kScheduleFormatVersion, ")"));
  }
  if (version < 1) return Error(absl::StrCat(version, " is not a format version"));
  return absl::OkStatus();
}

absl::Status Loader::LoadV1(Schedule& schedule) {
  bool have_cpus = false;
  absl::Status status = ForEachField([&](const std::string& name) -> absl::Status {
    if (name == "format") {
      LoadString();  // checked by LoadHeader()
      return absl::OkStatus();
    }
    if (name == "version") {
      int version = 0;
      return LoadInt(1, kScheduleFormatVersion, version);
    }
    if (name == "description") {
      schedule.description = LoadString();
      return absl::OkStatus();
    }
    if (name == "config") return LoadConfig(schedule.config);
    if (name == "cpus") {
      have_cpus = true;
      return LoadArray([&] { return LoadCpu(schedule.cpus.emplace_back()); });
    }
    if (name == "decisions") {
      return LoadArray([&] { return LoadDecision(schedule.decisions.emplace_back()); });
    }
    if (name == "expected") return LoadExpectation(schedule.expected.emplace());
    return Error("unknown field");
  });
  if (!status.ok()) return status;
  if (!have_cpus) return absl::InvalidArgumentError("cpus: missing");
  return absl::OkStatus();
}

absl::Status Loader::LoadConfig(ScheduleConfig& config) {
  return LoadObject([&](const std::string& name) -> absl::Status {
    if (name == "profile") {
      // "mainline" in a file means the release it stood for when it was
      // saved (kFileMainlineProfile), whatever the alias means today.
      config.profile = std::string(ProfileForFile(LoadString()));
      return absl::OkStatus();
    }
    if (name == "knobs") {
      // Knob names are checked when the schedule runs (Resolve()).
      return LoadObject([&](const std::string& knob) {
        config.knobs.push_back(KnobOverride{knob, LoadBool()});
        return absl::OkStatus();
      });
    }
    const ConfigField* field = ConfigFieldByName(name);
    if (field == nullptr) return Error("unknown field");
    // The loader checks the JSON type, and that a number fits an int. The
    // field's own range is Validate()'s to check, so that a file and a
    // schedule built in code get the same error.
    switch (field->kind) {
      case ConfigKind::kInt:
        return LoadCount(config.*field->int_member);
      case ConfigKind::kBool:
        config.*field->bool_member = LoadBool();
        return absl::OkStatus();
      case ConfigKind::kName:
        config.*field->name_member = LoadString();
        return absl::OkStatus();
    }
    return Error("unknown field");
  });
}

absl::Status Loader::LoadCpu(CpuProgram& program) {
  return LoadObject([&](const std::string& name) -> absl::Status {
    if (name == "mm") return LoadCount(program.mm);
    if (name == "ops") {
      return LoadArray([&]() -> absl::Status {
        absl::StatusOr<Op> op = ParseOp(LoadString());
        if (!op.ok()) return Error(op.status().message());
        program.ops.push_back(*op);
        return absl::OkStatus();
      });
    }
    return Error("unknown field");
  });
}

absl::Status Loader::LoadDecision(Segment& segment) {
  bool have_cpu = false;
  bool have_steps = false;
  absl::Status status = LoadObject([&](const std::string& name) -> absl::Status {
    if (name == "cpu") {
      have_cpu = true;
      return LoadCount(segment.cpu);
    }
    if (name == "steps") {
      have_steps = true;
      return LoadInt(1, std::numeric_limits<uint16_t>::max(), segment.steps);
    }
    if (name == "through") {
      const std::string step = LoadString();
      segment.through = StepByName(step);
      if (!segment.through) return Error(absl::StrCat("unknown step ", Quoted(step)));
      return absl::OkStatus();
    }
    return Error("unknown field");
  });
  if (!status.ok()) return status;
  if (!have_cpu) return Error("missing \"cpu\"");
  if (have_steps && segment.through) return Error("has both \"steps\" and \"through\"");
  return absl::OkStatus();
}

absl::Status Loader::LoadExpectation(Expectation& expected) {
  int fields = 0;
  absl::Status status = LoadObject([&](const std::string& name) -> absl::Status {
    ++fields;
    if (name == "signature") {
      expected.signature = LoadString();
      return absl::OkStatus();
    }
    if (name == "trace_hash") {
      const std::string text = LoadString();
      const std::optional<uint64_t> hash =
          absl::StartsWith(text, "0x") ? ParseNumber(text) : std::nullopt;
      if (!hash) {
        return Error(absl::StrCat("expected a 64-bit hex string like \"0x1234abcd5678ef00\", got ",
                                  Quoted(text)));
      }
      expected.trace_hash = *hash;
      return absl::OkStatus();
    }
    if (name == "steps") {
      return LoadInt(0, std::numeric_limits<int64_t>::max(), expected.steps);
    }
    if (name == "step_digest") {
      --fields;  // optional
      expected.step_digest = LoadString();  // Validate() checks its form
      return absl::OkStatus();
    }
    return Error("unknown field");
  });
  if (!status.ok()) return status;
  // Unknown and repeated fields are errors, so three fields are the three.
  if (fields != 3) return Error("needs \"signature\", \"trace_hash\" and \"steps\"");
  return absl::OkStatus();
}

template <typename Fn>
absl::Status Loader::ForEachField(Fn&& load_field) {
  std::set<std::string> seen;
  for (const char* next = ar_.getNodeName(); next != nullptr; next = ar_.getNodeName()) {
    const std::string name = next;
    PushField(name);
    if (!seen.insert(name).second) return Error("repeated field");
    if (absl::Status s = load_field(name); !s.ok()) return s;
    Pop();
  }
  return absl::OkStatus();
}

template <typename Fn>
absl::Status Loader::LoadObject(Fn&& load_field) {
  Expect("an object");
  ar_.startNode();  // throws unless the value is an object or an array
  if (AtArray()) return Error("expected an object");
  if (absl::Status s = ForEachField(load_field); !s.ok()) return s;
  ar_.finishNode();
  return absl::OkStatus();
}

template <typename Fn>
absl::Status Loader::LoadArray(Fn&& load_element) {
  Expect("an array");
  ar_.startNode();  // throws unless the value is an object or an array
  cereal::size_type size = 0;
  ar_.loadSize(size);  // throws for an object
  for (cereal::size_type i = 0; i < size; ++i) {
    PushIndex(i);
    if (absl::Status s = load_element(); !s.ok()) return s;
    Pop();
  }
  ar_.finishNode();
  return absl::OkStatus();
}

template <typename T>
bool Loader::LoadTopLevel(const char* name, T& value) {
  try {
    ar_(cereal::make_nvp(name, value));
  } catch (const cereal::RapidJSONException&) {
    throw;  // the field is there, with a value of the wrong type
  } catch (const cereal::Exception&) {
    return false;  // cereal found no field of that name
  }
  return true;
}

std::string Loader::LoadString() {
  Expect("a string");
  std::string value;
  ar_(value);
  return value;
}

bool Loader::LoadBool() {
  Expect("true or false");
  bool value = false;
  ar_(value);
  return value;
}

template <typename T>
absl::Status Loader::LoadInt(int64_t lo, int64_t hi, T& out) {
  Expect(absl::StrCat("an integer from ", lo, " to ", hi));
  int64_t value = 0;
  ar_(value);  // throws for a fraction or for a number beyond int64_t
  if (value < lo || value > hi)
    return Error(absl::StrCat("expected ", cursor_.expected, ", got ", value));
  out = static_cast<T>(value);
  return absl::OkStatus();
}

bool Loader::AtArray() {
  // cereal has no type query, but loadSize() works on arrays only.
  cereal::size_type size = 0;
  try {
    ar_.loadSize(size);
  } catch (const cereal::RapidJSONException&) {
    return false;
  }
  return true;
}

void Loader::PushField(absl::string_view name) {
  marks_.push_back(cursor_.path.size());
  absl::StrAppend(&cursor_.path, cursor_.path.empty() ? "" : ".", JsonEscape({name.data(), name.size()}));
}

void Loader::PushIndex(size_t index) {
  marks_.push_back(cursor_.path.size());
  absl::StrAppend(&cursor_.path, "[", index, "]");
}

void Loader::Pop() {
  cursor_.path.resize(marks_.back());
  marks_.pop_back();
}

// Parses `text` with cereal and calls `load(loader)` on a Loader over it.
// Returns what `load` returns, or the error behind an exception cereal threw.
template <typename Fn>
absl::Status WithLoader(absl::string_view text, Fn&& load) {
  std::istringstream in{std::string(text)};
  Cursor cursor;
  bool parsed = false;
  try {
    cereal::JSONInputArchive archive(in);  // parses the whole document
    parsed = true;
    Loader loader(archive, cursor);
    return load(loader);
  } catch (const cereal::RapidJSONException&) {
    // rapidjson's assertions throw this, both for a document that did not
    // parse and for a value read as the wrong type.
    if (!parsed) return MalformedJson(text, in);
    return cursor.Error(absl::StrCat("expected ", cursor.expected));
  } catch (const cereal::Exception& e) {
    if (!parsed) return MalformedJson(text, in);
    return cursor.Error(e.what());
  }
}

// Starts a named object or array in `ar`; finishNode() ends it.
void StartObject(cereal::JSONOutputArchive& ar, const char* name) {
  ar.setNextName(name);
  ar.startNode();
}

void StartArray(cereal::JSONOutputArchive& ar, const char* name) {
  StartObject(ar, name);
  ar.makeArray();
}

}  // namespace

absl::StatusOr<Schedule> ParseScheduleJson(std::string_view input) {
  const absl::string_view text = View(input);
  if (text.size() > kMaxScheduleBytes) {
    return absl::InvalidArgumentError(absl::StrCat("larger than ", kMaxScheduleBytes, " bytes"));
  }
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == absl::string_view::npos) return absl::InvalidArgumentError("empty document");
  if (text[start] != '{') {
    return absl::InvalidArgumentError("not a swapfuzz schedule (not a JSON object)");
  }
  if (absl::Status s = CheckBeforeParsing(text); !s.ok()) return s;
  // The header is read on its own first, so that a file of another kind or of
  // a newer version is reported as such and not by its first unfamiliar field.
  int64_t version = 0;
  absl::Status status =
      WithLoader(text, [&](Loader& loader) { return loader.LoadHeader(version); });
  if (!status.ok()) return status;
  // Versions 2 and 3 only added fields with defaults (2: memcg, memcg_mms,
  // memcg_max; 3: swap_devices, nslots1, backend1, prio0, prio1), so one
  // loader reads all three; a version that changes a field's meaning adds its
  // own loader here and keeps this one for older files.
  Schedule schedule;
  status = WithLoader(text, [&](Loader& loader) { return loader.LoadV1(schedule); });
  if (!status.ok()) return status;
  if (status = CheckSchedule(schedule); !status.ok()) return status;
  return schedule;
}

std::string ScheduleToJson(const Schedule& schedule) {
  using Options = cereal::JSONOutputArchive::Options;
  std::ostringstream out;
  {
    // The archive writes the closing brace when it is destroyed. No floating
    // point values are written, so the precision does not matter.
    cereal::JSONOutputArchive ar(
        out, Options(std::numeric_limits<double>::max_digits10, Options::IndentChar::space, 2));
    ar(cereal::make_nvp("format", std::string(kFormatName)),
       cereal::make_nvp("version", kScheduleFormatVersion),
       cereal::make_nvp("description", schedule.description));

    const ScheduleConfig& config = schedule.config;
    StartObject(ar, "config");
    ar(cereal::make_nvp("profile", config.profile));
    StartObject(ar, "knobs");
    for (const KnobOverride& knob : config.knobs) ar(cereal::make_nvp(knob.name.c_str(), knob.on));
    ar.finishNode();
    for (const ConfigField& field : ConfigFields()) {
      const char* name = field.name.data();  // NUL-terminated: see ConfigField
      switch (field.kind) {
        case ConfigKind::kInt:
          ar(cereal::make_nvp(name, config.*field.int_member));
          break;
        case ConfigKind::kBool:
          ar(cereal::make_nvp(name, config.*field.bool_member));
          break;
        case ConfigKind::kName:
          ar(cereal::make_nvp(name, config.*field.name_member));
          break;
      }
    }
    ar.finishNode();

    StartArray(ar, "cpus");
    for (const CpuProgram& program : schedule.cpus) {
      ar.startNode();
      ar(cereal::make_nvp("mm", static_cast<int>(program.mm)));
      StartArray(ar, "ops");
      for (const Op& op : program.ops) ar(OpToString(op));
      ar.finishNode();
      ar.finishNode();
    }
    ar.finishNode();

    StartArray(ar, "decisions");
    for (const Segment& segment : schedule.decisions) {
      ar.startNode();
      ar(cereal::make_nvp("cpu", static_cast<int>(segment.cpu)));
      if (segment.through) {
        ar(cereal::make_nvp("through", std::string(StepName(*segment.through))));
      } else if (segment.steps != 0) {
        ar(cereal::make_nvp("steps", static_cast<int>(segment.steps)));
      }
      ar.finishNode();
    }
    ar.finishNode();

    if (schedule.expected) {
      const Expectation& expected = *schedule.expected;
      StartObject(ar, "expected");
      ar(cereal::make_nvp("signature", expected.signature),
         cereal::make_nvp("trace_hash", HashToString(expected.trace_hash)),
         cereal::make_nvp("steps", expected.steps));
      if (!expected.step_digest.empty()) {
        ar(cereal::make_nvp("step_digest", expected.step_digest));
      }
      ar.finishNode();
    }
  }
  out << '\n';
  return out.str();
}

std::string HashToString(uint64_t hash) { return absl::StrFormat("0x%016x", hash); }

absl::StatusOr<Schedule> ReadScheduleFile(const std::string& path) {
  absl::StatusOr<std::string> text = Env::Default().ReadFile(path, kMaxScheduleBytes);
  if (!text.ok()) return text.status();
  if (text->empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": empty file"));
  absl::StatusOr<Schedule> schedule = ParseScheduleJson(*text);
  if (!schedule.ok()) return Prefixed(path, schedule.status());
  return schedule;
}

absl::Status WriteScheduleFile(const std::string& path, const Schedule& schedule) {
  if (absl::Status s = CheckSchedule(schedule); !s.ok()) return Prefixed(path, s);
  return Env::Default().WriteFileAtomically(path, ScheduleToJson(schedule));
}

}  // namespace swapfuzz
