#include "base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace swapfuzz {
namespace {

// "PATH: WHAT: <strerror>", with the code errno maps to. (absl::ErrnoToStatus()
// would append the reason a second time.)
absl::Status Errno(int err, const std::string& path, const std::string& what) {
  return absl::Status(absl::ErrnoToStatusCode(err),
                      absl::StrCat(path, ": ", what, ": ", std::strerror(err)));
}

// The directory a file at `path` would be created in.
std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno(errno, path, "cannot open");
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      close(fd);
      return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
    }
    std::string text;
    char buffer[1 << 16];
    int read_errno = 0;
    while (text.size() <= max_bytes) {
      const ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n > 0) {
        text.append(buffer, static_cast<size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        read_errno = errno;
        break;
      }
    }
    close(fd);
    if (read_errno != 0) return Errno(read_errno, path, "cannot read");
    if (text.size() > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
    }
    return text;
  }

  absl::Status WriteFileAtomically(const std::string& path, std::string_view text) override {
    const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno(errno, path, absl::StrCat("cannot create ", tmp));
    absl::Status status;
    for (size_t done = 0; done < text.size() && status.ok();) {
      const ssize_t n = write(fd, text.data() + done, text.size() - done);
      if (n >= 0) {
        done += static_cast<size_t>(n);
      } else if (errno != EINTR) {
        status = Errno(errno, path, absl::StrCat("cannot write ", tmp));
      }
    }
    if (status.ok() && fsync(fd) != 0) status = Errno(errno, path, absl::StrCat("cannot flush ", tmp));
    if (close(fd) != 0 && status.ok()) status = Errno(errno, path, absl::StrCat("cannot close ", tmp));
    if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
      status = Errno(errno, path, absl::StrCat("cannot rename ", tmp, " to it"));
    }
    if (!status.ok()) unlink(tmp.c_str());
    return status;
  }

  absl::Status CreateDirs(const std::string& path) override {
    if (path.empty()) return absl::InvalidArgumentError("empty directory name");
    for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
      const std::string prefix = path.substr(0, slash);
      if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return Errno(errno, path, absl::StrCat("cannot create directory ", prefix));
      }
      if (slash == std::string::npos) break;
    }
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(path, ": exists and is not a directory"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckWritable(const std::string& path) override {
    if (path.empty()) return absl::InvalidArgumentError("empty output file name");
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
    }
    const std::string dir = DirOf(path);
    if (stat(dir.c_str(), &st) != 0) return Errno(errno, path, absl::StrCat("directory ", dir));
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(path, ": ", dir, " is not a directory"));
    }
    if (access(dir.c_str(), W_OK | X_OK) != 0) {
      return Errno(errno, path, absl::StrCat("cannot write in ", dir));
    }
    return absl::OkStatus();
  }

  absl::Status CheckWritableDir(const std::string& dir) override {
    if (dir.empty()) return absl::InvalidArgumentError("empty directory name");
    std::string probe = dir;
    for (;;) {
      struct stat st;
      if (stat(probe.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
          return absl::FailedPreconditionError(absl::StrCat(dir, ": ", probe, " is not a directory"));
        }
        if (access(probe.c_str(), W_OK | X_OK) != 0) {
          return Errno(errno, dir, absl::StrCat("cannot write in ", probe));
        }
        return absl::OkStatus();
      }
      if (errno != ENOENT) return Errno(errno, dir, absl::StrCat("cannot look at ", probe));
      if (probe == "/" || probe == ".") return Errno(ENOENT, dir, "no such directory");
      probe = DirOf(probe);
    }
  }

  bool FileExists(const std::string& path) override {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return Errno(errno, dir, "cannot list");
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* e = readdir(d)) {
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    const int read_errno = errno;
    closedir(d);
    if (read_errno != 0) return Errno(read_errno, dir, "cannot list");
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace

Env& Env::Default() {
  static PosixEnv* env = new PosixEnv;
  return *env;
}

}  // namespace swapfuzz
