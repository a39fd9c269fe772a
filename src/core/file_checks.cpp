#include "core/file_checks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace atm {
namespace {

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Error FileError(const std::string& text) { return Error(ErrorCode::kInvalidConfig, text); }

}  // namespace

Status CheckPrivateFile(const std::string& path, const std::string& what) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return FileError(what + ": cannot read " + path + ": " + std::strerror(errno));
  }
  if (st.st_mode & (S_IROTH | S_IWOTH)) {
    return FileError(what + ": " + path + " is open to every user of this machine (mode " + Octal(st.st_mode) +
                     "); it holds secrets: run chmod 600 " + path);
  }
  return Ok();
}

Status PrepareDatabaseFile(const std::string& path) {
  if (path.empty() || path == ":memory:") return Ok();
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return FileError("storage.path: cannot read " + path + ": " + std::strerror(errno));
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return FileError("storage.path: cannot create " + path + ": " + std::strerror(errno));
    }
    if (fd >= 0) close(fd);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string file = path + suffix;
    if (*suffix != '\0' && stat(file.c_str(), &st) != 0) continue;
    if (auto s = CheckPrivateFile(file, "storage.path"); !s) return s;
  }
  return Ok();
}

}  // namespace atm
