#include "ops/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace atm {
namespace {

// The fields of /proc/self/stat after the command name (which may hold
// spaces; it ends at the last ')'): fields[0] is field 3, the state.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// The system's boot time (btime in /proc/stat), 0 when unknown.
int64_t BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

int64_t OpenDescriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor of the listing itself
}

}  // namespace

void WriteProcessMetrics(MetricsText& out) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const std::vector<std::string> f = StatFields();
  // Fields 14 and 15 (utime, stime), 22 (starttime, in ticks since boot),
  // 23 (vsize, bytes), 24 (rss, pages): indexes 11, 12, 19, 20, 21.
  if (f.size() > 21 && ticks > 0) {
    out.Family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
    out.Sample("process_cpu_seconds_total", {}, (std::stod(f[11]) + std::stod(f[12])) / ticks);
    out.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.Sample("process_resident_memory_bytes", {}, std::stod(f[21]) * page);
    out.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.Sample("process_virtual_memory_bytes", {}, std::stod(f[20]));
    if (int64_t boot = BootTime(); boot > 0) {
      out.Family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
      out.Sample("process_start_time_seconds", {}, static_cast<double>(boot) + std::stod(f[19]) / ticks);
    }
  }
  if (int64_t fds = OpenDescriptors(); fds >= 0) {
    out.Family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.Sample("process_open_fds", {}, fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.Family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.Sample("process_max_fds", {}, static_cast<uint64_t>(limit.rlim_cur));
  }
}

}  // namespace atm
