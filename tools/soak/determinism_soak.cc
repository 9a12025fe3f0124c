// The determinism and compatibility soak: decodes pseudo-random inputs for
// every model fuzz target, runs each one twice on two separate runners, and
// prints one digest per block of inputs.
//
//   determinism_soak [--inputs=N] [--block=B] [--seed=S] [--target=T] [--expect=FILE]
//
// Each output line is "target first count digest": the digest folds the trace
// hash, the step count and the finding's signature of inputs
// [first, first + count). The inputs come from the project PRNG seeded by
// --seed and the target's name, so the same flags give the same inputs in
// every build. Two kinds of divergence are counted:
//   - within the build: the two runs of one input disagree (trace hash, steps
//     or signature). Always a bug: the model is not a function of its input.
//   - against --expect: a block's digest differs from the stored one (taken
//     from an earlier build, or another compiler). A model change that was
//     meant to leave runs alone did not.
// Exit status: 0 when nothing diverged, 1 when something did, 2 bad usage or
// an unreadable --expect file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fuzz/decoder.h"
#include "base/rng.h"
#include "fuzz/runner.h"
#include "tools/soak/soak_util.h"

namespace swapfuzz {
namespace {

struct Options {
  uint64_t inputs = 10000;
  uint64_t block = 100;
  uint64_t seed = 1;
  std::string target;  // empty: every target
  std::string expect;
};

using soak::HashText;
using soak::Mix;

struct Outcome {
  uint64_t trace_hash;
  uint64_t steps;
  std::string signature;
  bool operator==(const Outcome&) const = default;
};

Outcome RunOnce(FuzzRunner& runner, const std::vector<uint8_t>& input) {
  const Finding* finding = runner.Run(input);
  return {runner.last_result().trace_hash, runner.last_result().steps,
          finding != nullptr ? finding->Signature() : std::string()};
}

using soak::ParseCount;
using soak::ParseFlag;

int Usage(const char* why) {
  std::fprintf(stderr,
               "determinism_soak: %s\nusage: determinism_soak [--inputs=N] [--block=B] [--seed=S] "
               "[--target=T] [--expect=FILE]\n",
               why);
  return 2;
}

}  // namespace

int SoakMain(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i], v;
    if (ParseFlag(arg, "inputs", &v)) {
      if (!ParseCount(v, &o.inputs)) return Usage("--inputs takes a whole number");
    } else if (ParseFlag(arg, "block", &v)) {
      if (!ParseCount(v, &o.block) || o.block == 0) return Usage("--block takes a positive number");
    } else if (ParseFlag(arg, "seed", &v)) {
      if (!ParseCount(v, &o.seed)) return Usage("--seed takes a whole number");
    } else if (ParseFlag(arg, "target", &v)) {
      if (TargetByName(v) == nullptr) return Usage("unknown --target");
      o.target = std::string(v);
    } else if (ParseFlag(arg, "expect", &v)) {
      o.expect = std::string(v);
    } else {
      return Usage("unknown argument");
    }
  }
  // Stored digests: (target, first) -> (count, digest).
  std::map<std::tuple<std::string, uint64_t>, std::pair<uint64_t, std::string>> expected;
  if (!o.expect.empty()) {
    std::ifstream in(o.expect);
    if (!in) {
      std::fprintf(stderr, "determinism_soak: %s: cannot be read\n", o.expect.c_str());
      return 2;
    }
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string target, digest;
      uint64_t first = 0, count = 0;
      if (!(fields >> target >> first >> count >> digest)) {
        std::fprintf(stderr, "determinism_soak: %s:%d: not 'target first count digest'\n",
                     o.expect.c_str(), lineno);
        return 2;
      }
      expected[{target, first}] = {count, digest};
    }
  }

  uint64_t within = 0, against = 0, compared = 0;
  for (const FuzzTarget& target : AllTargets()) {
    if (!o.target.empty() && target.name != o.target) continue;
    FuzzRunner first_runner(target), second_runner(target);
    Rng rng(Mix(o.seed, HashText(target.name)));
    std::vector<uint8_t> input;
    uint64_t digest = 0, block_first = 0;
    for (uint64_t n = 0; n < o.inputs; ++n) {
      // Lengths reach past the decision offset, so inputs carry decisions,
      // and sometimes stop inside the header or the programs.
      input.resize(rng.Below(kDecisionOffset + 192));
      for (uint8_t& b : input) b = static_cast<uint8_t>(rng.Next() >> 56);
      const Outcome a = RunOnce(first_runner, input);
      const Outcome b = RunOnce(second_runner, input);
      if (!(a == b)) {
        if (within++ < 5) {
          std::fprintf(stderr, "determinism_soak: %s input %llu runs differently twice\n",
                       std::string(target.name).c_str(), static_cast<unsigned long long>(n));
        }
      }
      digest = Mix(Mix(Mix(digest, a.trace_hash), a.steps), HashText(a.signature));
      const uint64_t count = n + 1 - block_first;
      if (count == o.block || n + 1 == o.inputs) {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
        std::printf("%s %llu %llu %s\n", std::string(target.name).c_str(),
                    static_cast<unsigned long long>(block_first), static_cast<unsigned long long>(count),
                    hex);
        if (!expected.empty()) {
          auto it = expected.find({std::string(target.name), block_first});
          if (it != expected.end()) {
            ++compared;
            if (it->second.first != count || it->second.second != hex) {
              if (against++ < 5) {
                std::fprintf(stderr, "determinism_soak: %s inputs %llu..%llu differ from %s\n",
                             std::string(target.name).c_str(),
                             static_cast<unsigned long long>(block_first),
                             static_cast<unsigned long long>(n), o.expect.c_str());
              }
            }
          }
        }
        digest = 0;
        block_first = n + 1;
      }
    }
  }
  std::fprintf(stderr,
               "determinism_soak: within-build divergences: %llu; blocks compared with --expect: "
               "%llu, differing: %llu\n",
               static_cast<unsigned long long>(within), static_cast<unsigned long long>(compared),
               static_cast<unsigned long long>(against));
  if (!o.expect.empty() && compared == 0) {
    std::fprintf(stderr, "determinism_soak: %s has no block of these inputs\n", o.expect.c_str());
    return 1;
  }
  return within == 0 && against == 0 ? 0 : 1;
}

}  // namespace swapfuzz

int main(int argc, char** argv) { return swapfuzz::SoakMain(argc, argv); }
