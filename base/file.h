// Everything swapfuzz does outside its own process, behind one seam.
//
// Like LevelDB's Env, an Env is the interface through which the layers above
// the model reach the operating system: reading whole files, writing them
// atomically, making directories and checking, before any work starts, that
// an output can be written. The model and the fuzz core never use it; the
// formats, the harness and the command line do, and every call returns an
// absl::Status whose message is one line that starts with the path.
#ifndef SWAPFUZZ_BASE_FILE_H_
#define SWAPFUZZ_BASE_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace swapfuzz {

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide Env of the real file system. Never deleted.
  static Env& Default();

  // Reads the whole regular file at `path`. A file longer than `max_bytes`
  // gives InvalidArgument "PATH: larger than N bytes", a directory
  // InvalidArgument "PATH: is a directory"; a file that cannot be opened or
  // read gives the errno-derived code, with "PATH: cannot open: <reason>" or
  // "PATH: cannot read: <reason>". An empty file is not an error here.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) = 0;

  // Writes `text` to `path` through "<path>.tmp.<pid>" in the same
  // directory, flushed and then renamed over `path`: readers see the old file
  // or the new one, never a partial one. On failure the temporary file is
  // removed and `path` is untouched.
  virtual absl::Status WriteFileAtomically(const std::string& path, std::string_view text) = 0;

  // Creates `path` and any missing parents; an existing directory is fine.
  virtual absl::Status CreateDirs(const std::string& path) = 0;

  // Whether a file could be written at `path` now: its directory exists and
  // is writable, and `path` is not a directory. Creates nothing, so a command
  // can check every output before it starts its work and leave nothing
  // behind when one is unwritable.
  virtual absl::Status CheckWritable(const std::string& path) = 0;

  // Whether `dir` could hold new files now: it exists as a writable
  // directory, or it does not exist and its nearest existing ancestor is a
  // writable directory (CreateDirs() would make it). Creates nothing.
  virtual absl::Status CheckWritableDir(const std::string& dir) = 0;

  virtual bool FileExists(const std::string& path) = 0;

  // Whether `path` names a directory (following symbolic links).
  virtual bool IsDirectory(const std::string& path) = 0;

  // The names of the entries of directory `dir`, "." and ".." left out, in
  // byte order: the same list in the same order on every machine. A path
  // that cannot be listed gives "DIR: cannot list: <reason>".
  virtual absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
};

}  // namespace swapfuzz

#endif  // SWAPFUZZ_BASE_FILE_H_
