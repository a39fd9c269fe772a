// An atm child process: spawned with a config and a database, its port read
// from the listening line, its memory read from /proc, always stopped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace atm::bench {

struct SpawnOptions {
  std::string binary;
  std::string config;
  std::string db = ":memory:";
  std::string log_file = "/dev/null";  // the server's stderr
  std::chrono::milliseconds ready_timeout{10000};
  std::vector<std::string> extra_args{};  // after the others, e.g. --testing
};

// A spawned `atm serve --config C --db D --port 0 [extra]` that has not been
// waited for: its stdout is the read end of a pipe (close-on-exec), its
// stderr appended to the log file.
struct Spawned {
  pid_t pid = -1;
  int stdout_fd = -1;
  std::chrono::steady_clock::time_point at;  // just before posix_spawn
};
std::optional<Spawned> SpawnAtm(const SpawnOptions& options, std::string* error);

// The port of "atm listening on http://HOST:PORT\n"; 0 when `line` is not that.
int ListeningPort(const std::string& line);

class ServerProcess {
 public:
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns atm and waits (bounded) for its listening line. On failure
  // `error` says why and nothing is left running.
  static std::optional<ServerProcess> Start(const SpawnOptions& options, std::string* error);
  ServerProcess(ServerProcess&& other) noexcept;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // When the spawn began (before fork/exec).
  std::chrono::steady_clock::time_point spawned_at() const { return spawned_at_; }
  // When its listening line arrived.
  std::chrono::steady_clock::time_point listening_at() const { return listening_at_; }

  // A field of /proc/<pid>/status in kB (VmRSS, VmHWM); -1 when unreadable.
  long StatusKb(const std::string& field) const;
  // CPU time (user + system) the process has used so far, in seconds.
  double CpuSeconds() const;
  // Resets VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs).
  bool ResetPeak() const;
  // SIGTERM, then SIGKILL if it has not exited within `grace`. Returns the
  // exit status (or -1 when it had to be killed).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::chrono::steady_clock::time_point spawned_at_;
  std::chrono::steady_clock::time_point listening_at_;
};

}  // namespace atm::bench
