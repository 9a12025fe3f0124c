// Replays files (or directories of files) through LLVMFuzzerTestOneInput, for
// builds without libFuzzer (gcc, ctest), like LLVM's StandaloneFuzzTargetMain.
//
//   <target>_replay FILE|DIR...
//
// A directory runs its files in byte order of their names (names starting
// with "." are skipped), so every machine runs them in the same order. Each
// file prints "ran FILE (N bytes), trace hash 0x..." (the trace hash for the
// model targets: the hash `swapfuzz replay FILE --target=T` prints for the
// same input). A finding aborts, as under libFuzzer; the abort first prints
// "aborted on FILE (N bytes), trace hash 0x..." on stderr. Exit status: 0, or
// 2 when a file could not be read.

#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/file.h"
#include "format/schedule_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// The trace hash of the last input run (harness/libfuzzer_target.cc); absent
// from targets that do not run the model.
extern "C" uint64_t SwapfuzzLastTraceHash() __attribute__((weak));

namespace {

// Larger than any input libFuzzer makes here (-max_len in corpus/*.options).
constexpr size_t kMaxInputBytes = size_t{64} << 20;

// The file being run, for the abort handler.
const char* g_path = "";
size_t g_size = 0;

void Append(char* buf, size_t& n, size_t cap, const char* s) {
  while (*s != '\0' && n + 1 < cap) buf[n++] = *s++;
}

// Async-signal-safe: formats by hand and writes with write(2).
void OnAbort(int) {
  char buf[4096];
  size_t n = 0;
  Append(buf, n, sizeof(buf), "aborted on ");
  Append(buf, n, sizeof(buf), g_path);
  char digits[24];
  int d = 0;
  size_t size = g_size;
  do {
    digits[d++] = static_cast<char>('0' + size % 10);
    size /= 10;
  } while (size != 0);
  Append(buf, n, sizeof(buf), " (");
  while (d > 0 && n + 1 < sizeof(buf)) buf[n++] = digits[--d];
  Append(buf, n, sizeof(buf), " bytes)");
  if (SwapfuzzLastTraceHash != nullptr) {
    const uint64_t hash = SwapfuzzLastTraceHash();
    char hex[19] = "0x";
    for (int i = 0; i < 16; ++i) hex[2 + i] = "0123456789abcdef"[(hash >> (60 - 4 * i)) & 15];
    hex[18] = '\0';
    Append(buf, n, sizeof(buf), ", trace hash ");
    Append(buf, n, sizeof(buf), hex);
  }
  Append(buf, n, sizeof(buf), "\n");
  ssize_t ignored = write(STDERR_FILENO, buf, n);
  (void)ignored;
  std::signal(SIGABRT, SIG_DFL);  // abort() goes on to end the process
}

int RunFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = swapfuzz::Env::Default().ReadFile(path, kMaxInputBytes);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s\n", std::string(bytes.status().message()).c_str());
    return 2;
  }
  g_path = path.c_str();
  g_size = bytes->size();
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  std::string line = "ran " + path + " (" + std::to_string(bytes->size()) + " bytes)";
  if (SwapfuzzLastTraceHash != nullptr) {
    line += ", trace hash " + swapfuzz::HashToString(SwapfuzzLastTraceHash());
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);  // kept if a later file aborts
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGABRT, OnAbort);
  swapfuzz::Env& env = swapfuzz::Env::Default();
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!env.IsDirectory(arg)) {
      status |= RunFile(arg);
      continue;
    }
    absl::StatusOr<std::vector<std::string>> names = env.GetChildren(arg);
    if (!names.ok()) {
      std::fprintf(stderr, "%s\n", std::string(names.status().message()).c_str());
      status |= 2;
      continue;
    }
    for (const std::string& name : *names) {
      if (name[0] != '.') status |= RunFile(arg + "/" + name);
    }
  }
  return status;
}
