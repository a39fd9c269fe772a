#include "process_cpu.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace atm::bench {
namespace {

struct Stat {
  pid_t ppid = 0;
  double cpu = 0;           // utime + stime, seconds
  double children_cpu = 0;  // cutime + cstime: reaped children, seconds
};

std::optional<Stat> ReadStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces and parentheses):
  // state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 2));
  std::string f;
  long ticks[18] = {};
  int i = 3;
  for (; i <= 17 && fields >> f; ++i) ticks[i] = std::atol(f.c_str());
  if (i <= 17) return std::nullopt;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return Stat{static_cast<pid_t>(ticks[4]), static_cast<double>(ticks[14] + ticks[15]) / tick,
              static_cast<double>(ticks[16] + ticks[17]) / tick};
}

// A process measured must stay readable through the window (an atm node that
// died makes the run meaningless).
double Required(double seconds, pid_t pid) {
  if (seconds < 0) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");
  return seconds;
}

nlohmann::json Usage(double seconds, int64_t requests) {
  nlohmann::json j = {{"seconds", seconds}};
  if (requests > 0) j["ms_per_request"] = seconds * 1e3 / static_cast<double>(requests);
  return j;
}

}  // namespace

double ProcessCpuSeconds(pid_t pid) {
  auto s = ReadStat(pid);
  return s ? s->cpu : -1;
}

double TreeCpuSeconds(pid_t parent) {
  // The parent first: a child reaped after this reading and before its own
  // is missed (a few ticks), never counted twice.
  auto p = ReadStat(parent);
  if (!p) return -1;
  double total = p->cpu + p->children_cpu;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto s = ReadStat(static_cast<pid_t>(std::atol(name.c_str())));
    if (s && s->ppid == parent) total += s->cpu;
  }
  return total;
}

CpuMeter::CpuMeter(std::vector<pid_t> pids, pid_t postmaster) : pids_(std::move(pids)), postmaster_(postmaster) {}

void CpuMeter::Start() {
  pid_start_.clear();
  for (pid_t pid : pids_) pid_start_.push_back(Required(ProcessCpuSeconds(pid), pid));
  if (postmaster_ > 0) postgres_start_ = Required(TreeCpuSeconds(postmaster_), postmaster_);
  self_start_ = ProcessCpuSeconds(::getpid());
}

nlohmann::json CpuMeter::Finish(int64_t requests) const {
  nlohmann::json out;
  if (!pids_.empty()) {
    nlohmann::json per_pid = nlohmann::json::object();
    double sum = 0;
    for (size_t i = 0; i < pids_.size(); ++i) {
      double used = Required(ProcessCpuSeconds(pids_[i]), pids_[i]) - pid_start_[i];
      per_pid[std::to_string(pids_[i])] = used;
      sum += used;
    }
    out["atm"] = Usage(sum, requests);
    out["atm"]["per_pid"] = per_pid;
  }
  if (postmaster_ > 0) {
    out["postgres"] = Usage(Required(TreeCpuSeconds(postmaster_), postmaster_) - postgres_start_, requests);
    out["postgres"]["postmaster"] = postmaster_;
  }
  out["load_generator"] = Usage(ProcessCpuSeconds(::getpid()) - self_start_, requests);
  return out;
}

}  // namespace atm::bench
