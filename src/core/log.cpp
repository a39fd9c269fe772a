#include "core/log.h"

#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace atm {
namespace {

LogLevel g_min_level = LogLevel::kInfo;  // written once at start-up
bool g_json = false;
std::mutex g_mutex;  // only for lines too long to be written atomically

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing stderr
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void ConfigureLog(LogLevel min_level, bool json) {
  g_min_level = min_level;
  g_json = json;
}

void Log(LogLevel level, std::string_view message) {
  if (level < g_min_level) return;
  // The timestamp changes once a second: each thread formats it then.
  thread_local std::time_t cached_second = -1;
  thread_local char ts[32];
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cached_second = now;
  }
  std::string line;
  line.reserve(message.size() + 64);
  if (g_json) {
    line.append("{\"time\":\"").append(ts).append("\",\"level\":\"").append(LevelName(level));
    line.append("\",\"msg\":\"").append(JsonEscape(message)).append("\"}\n");
  } else {
    char head[48];
    std::snprintf(head, sizeof head, "%s %-5s ", ts, LevelName(level));
    line.append(head).append(message).append("\n");
  }
  // One write(2) per line, without a process-wide lock on the hot path: the
  // kernel keeps a single write whole on files, and on pipes up to PIPE_BUF
  // bytes; longer lines take the lock so that they do not interleave.
  std::unique_lock<std::mutex> lock(g_mutex, std::defer_lock);
  if (line.size() > PIPE_BUF) lock.lock();
  WriteAll(STDERR_FILENO, line);
}

}  // namespace atm
