// list-bugs, list-profiles and list-targets: the catalogue, the profiles and
// the fuzz targets, from their tables (model/knobs.h, fuzz/targets.h), as
// text, as names (--names) or as JSON (--json) for the scripts in tools/.

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/json_string.h"
#include "cli/cli.h"
#include "fuzz/decoder.h"
#include "model/knobs.h"
#include "model/sources.h"
#include "model/steps.h"

namespace swapfuzz::cli {
namespace {

// `items` as a JSON array of strings.
std::string JsonStrings(const std::vector<std::string>& items) {
  return absl::StrCat("[", absl::StrJoin(items, ", ", [](std::string* out, const std::string& s) {
                        absl::StrAppend(out, JsonQuote(s));
                      }), "]");
}

// A table in the form the flags ask for: one name a line (--names), a JSON
// array with one object a line (--json: readable, and one json.loads() away),
// or `text`. Every Row has a `name`.
template <typename Row, typename Json, typename Text>
int PrintTable(const Invocation& inv, std::span<const Row> rows, Json json, Text text) {
  if (inv.names) {
    for (const Row& row : rows) absl::PrintF("%s\n", row.name);
  } else if (inv.json) {
    std::vector<std::string> objects;
    for (const Row& row : rows) objects.push_back(absl::StrCat("  ", json(row)));
    absl::PrintF("[\n%s\n]\n", absl::StrJoin(objects, ",\n"));
  } else {
    text();
  }
  return kExitOk;
}

std::vector<std::string> ProfilesSetting(Knob knob) {
  std::vector<std::string> profiles;
  for (const Profile& p : AllProfiles()) {
    if (p.knobs.Has(knob)) profiles.emplace_back(p.name);
  }
  return profiles;
}

std::vector<std::string> KnobsOf(const Profile& p) {
  std::vector<std::string> knobs;
  for (const KnobInfo& info : AllKnobs()) {
    if (p.knobs.Has(info.knob)) knobs.emplace_back(info.name);
  }
  return knobs;
}

// The distinct ops of a target's op table, in table order.
std::vector<std::string> OpsOf(const FuzzTarget& t) {
  std::vector<std::string> ops;
  for (const OpKind kind : t.op_table) {
    if (kind == OpKind::kCount) continue;
    const std::string name(OpName(kind));
    if (std::find(ops.begin(), ops.end(), name) == ops.end()) ops.push_back(name);
  }
  return ops;
}

}  // namespace

int ListBugs(const Invocation& inv) {
  auto json = [](const KnobInfo& info) {
    return absl::StrFormat(
        R"({"name": %s, "fix": %s, "title": %s, "affects": %s, "profiles": %s, "description": %s})",
        JsonQuote(info.name), JsonQuote(info.fix_hash), JsonQuote(info.fix_title),
        JsonQuote(info.affected), JsonStrings(ProfilesSetting(info.knob)),
        JsonQuote(info.description));
  };
  return PrintTable(inv, AllKnobs(), json, [] {
    constexpr char kIndent[] = "              ";
    bool first = true;
    for (const KnobInfo& info : AllKnobs()) {
      const std::vector<std::string> profiles = ProfilesSetting(info.knob);
      absl::PrintF("%s%s\n", first ? "" : "\n", info.name);
      absl::PrintF("%s", Wrap(absl::StrFormat("%s %s", info.fix_hash, info.fix_title),
                              "    fix:      ", kIndent));
      absl::PrintF("%s", Wrap(info.affected, "    affects:  ", kIndent));
      absl::PrintF("%s", Wrap(profiles.empty() ? "no profile" : absl::StrJoin(profiles, ", "),
                              "    set in:   ", kIndent));
      absl::PrintF("%s", Wrap(info.description, "    ", "    "));
      first = false;
    }
  });
}

int ListProfiles(const Invocation& inv) {
  auto json = [](const Profile& p) {
    return absl::StrFormat(
        R"({"name": %s, "release": %s, "mainline": %s, "code_of": %s, "description": %s, "knobs": %s})",
        JsonQuote(p.name), JsonQuote(p.release), p.name == NewestProfile() ? "true" : "false",
        JsonQuote(p.code_of), JsonQuote(p.description), JsonStrings(KnobsOf(p)));
  };
  return PrintTable(inv, AllProfiles(), json, [&inv] {
    size_t width = 0;
    for (const Profile& p : AllProfiles()) width = std::max(width, p.name.size());
    const std::string indent(width + 2, ' ');
    for (const Profile& p : AllProfiles()) {
      const std::vector<std::string> knobs = KnobsOf(p);
      const std::string release =
          absl::StrCat(std::string(p.release), p.name == NewestProfile() ? " (mainline: the newest modelled release)" : "");
      absl::PrintF("%s", Wrap(release, absl::StrFormat("%-*s  ", static_cast<int>(width), p.name),
                              indent));
      absl::PrintF("%s", Wrap(p.description, indent, indent));
      absl::PrintF("%s", Wrap(knobs.empty() ? "none" : absl::StrJoin(knobs, ", "),
                              absl::StrCat(indent, "knobs: "), absl::StrCat(indent, "       ")));
      if (!inv.verbose) continue;
      absl::PrintF("%s", Wrap(absl::StrCat("code of ", std::string(p.code_of), ", file by file:"), indent, indent));
      for (const SourceRow& row : AllSources()) {
        if (row.code_of != p.code_of) continue;
        const std::string more = absl::StrCat(indent, "    ");
        absl::PrintF("%s", Wrap(absl::StrCat(std::string(row.model_file), " (", std::string(row.kernel_file), "): ", std::string(row.follows)),
                                absl::StrCat(indent, "  "), more));
        absl::PrintF("%s", Wrap(absl::StrCat("read: ", std::string(row.read)), more, absl::StrCat(more, "  ")));
      }
    }
    absl::PrintF("\nmainline: %s on the command line and in the fuzz targets; %s in schedule files\n",
                 NewestProfile(), kFileMainlineProfile);
  });
}

int ListTargets(const Invocation& inv) {
  auto json = [](const FuzzTarget& t) {
    return absl::StrFormat(
        R"({"name": %s, "profile": %s, "backend": %s, "swap_devices": %d, "backend1": %s, "zswap": %s, "ram_pages": %d, "ops": %s, "description": %s})",
        JsonQuote(t.name), JsonQuote(t.base.profile), JsonQuote(t.base.backend),
        t.base.swap_devices, JsonQuote(t.base.swap_devices > 1 ? t.base.backend1 : ""),
        t.base.zswap ? "true" : "false", t.base.ram_pages, JsonStrings(OpsOf(t)),
        JsonQuote(t.description));
  };
  return PrintTable(inv, AllTargets(), json, [] {
    size_t width = 0;
    for (const FuzzTarget& t : AllTargets()) width = std::max(width, t.name.size());
    const std::string indent(width + 2, ' ');
    for (const FuzzTarget& t : AllTargets()) {
      absl::PrintF("%s", Wrap(t.description,
                              absl::StrFormat("%-*s  ", static_cast<int>(width), t.name), indent));
      const std::string second =
          t.base.swap_devices > 1 ? absl::StrCat(" + ", t.base.backend1) : std::string();
      absl::PrintF("%s", Wrap(absl::StrFormat("profile %s, backend %s%s, zswap %s", t.base.profile,
                                              t.base.backend, second,
                                              t.base.zswap ? "on" : "off"),
                              indent, indent));
      absl::PrintF("%s", Wrap(absl::StrJoin(OpsOf(t), ", "), absl::StrCat(indent, "ops: "),
                              absl::StrCat(indent, "     ")));
    }
  });
}

}  // namespace swapfuzz::cli
