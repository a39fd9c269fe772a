#include "core/machine_memory.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace atm {
namespace {

// Values at or above this are cgroup v1's "no limit" (it prints the largest
// multiple of the page size below 2^63).
constexpr uint64_t kNoLimit = uint64_t{1} << 62;

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i == text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  return v;
}

// MemTotal in bytes ("MemTotal:       24730268 kB").
std::optional<uint64_t> MemTotal(const std::string& meminfo) {
  std::istringstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    auto kib = ParseUnsigned(line.substr(9));
    if (!kib || line.find("kB") == std::string::npos) return std::nullopt;
    return *kib * 1024;
  }
  return std::nullopt;
}

// "/a/b" -> {"/a/b", "/a", ""}: the group and every group above it, as
// suffixes of the mount point.
std::vector<std::string> GroupAndAncestors(std::string path) {
  std::vector<std::string> out;
  while (!path.empty() && path.back() == '/') path.pop_back();
  while (!path.empty()) {
    out.push_back(path);
    const size_t slash = path.rfind('/');
    path = slash == std::string::npos ? "" : path.substr(0, slash);
  }
  out.push_back("");
  return out;
}

// Whether the comma-separated controller list names "memory".
bool HasMemoryController(const std::string& controllers) {
  std::istringstream in(controllers);
  std::string c;
  while (std::getline(in, c, ',')) {
    if (c == "memory") return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buf.str();
}

std::optional<MemoryLimit> MachineMemoryLimit(const TextFileReader& read) {
  auto meminfo = read("/proc/meminfo");
  if (!meminfo) return std::nullopt;
  auto total = MemTotal(*meminfo);
  if (!total) return std::nullopt;
  MemoryLimit best{*total, "MemTotal in /proc/meminfo"};
  auto consider = [&](const std::string& file) {
    auto text = read(file);
    if (!text) return;
    auto v = ParseUnsigned(*text);  // "max" (v2) does not parse: no limit
    if (v && *v < kNoLimit && *v < best.bytes) best = {*v, file};
  };
  auto groups = read("/proc/self/cgroup");
  if (groups) {
    std::istringstream in(*groups);
    std::string line;
    while (std::getline(in, line)) {
      // "HIERARCHY:CONTROLLERS:PATH"
      const size_t c1 = line.find(':');
      const size_t c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
      if (c2 == std::string::npos) continue;
      const std::string hierarchy = line.substr(0, c1);
      const std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
      const std::string path = line.substr(c2 + 1);
      if (hierarchy == "0" && controllers.empty()) {
        for (const auto& g : GroupAndAncestors(path)) consider("/sys/fs/cgroup" + g + "/memory.max");
      } else if (HasMemoryController(controllers)) {
        for (const auto& g : GroupAndAncestors(path)) consider("/sys/fs/cgroup/memory" + g + "/memory.limit_in_bytes");
      }
    }
  }
  return best;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (v == static_cast<double>(static_cast<uint64_t>(v))) {
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s (%llu bytes)", v, kUnits[unit], static_cast<unsigned long long>(bytes));
  }
  return buf;
}

}  // namespace atm
