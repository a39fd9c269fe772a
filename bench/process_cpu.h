// The CPU time processes use, from /proc/<pid>/stat (proc(5)): an atm
// server, several atm nodes, or a PostgreSQL server with its backends.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace atm::bench {

// User + system time `pid` has used so far, in seconds; -1 when unreadable.
double ProcessCpuSeconds(pid_t pid);

// The same for a process and its direct children, e.g. a PostgreSQL
// postmaster and its backends: its own time, its live children's, and that
// of the children it has reaped (cutime + cstime), so that a backend that
// exits between two readings is still counted. -1 when `parent` is
// unreadable.
double TreeCpuSeconds(pid_t parent);

// CPU time over a measured window: atm processes (each, and in all), a
// PostgreSQL server (postmaster and children), and this load generator.
class CpuMeter {
 public:
  CpuMeter(std::vector<pid_t> pids, pid_t postmaster);
  // Reads every process now: the window starts.
  void Start();
  // Reads them again. {"atm": {"per_pid": {PID: s}, "seconds", "ms_per_request"},
  // "postgres": {"postmaster", "seconds", "ms_per_request"}, "load_generator":
  // {...}}; "atm" only with pids, "postgres" only with a postmaster.
  nlohmann::json Finish(int64_t requests) const;

 private:
  std::vector<pid_t> pids_;
  pid_t postmaster_;
  std::vector<double> pid_start_;
  double postgres_start_ = 0;
  double self_start_ = 0;
};

}  // namespace atm::bench
