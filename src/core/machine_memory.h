// How much memory this process may use: the machine's MemTotal, or less when
// a control group limits it (a container's memory limit). Read through an
// injected file reader, so tests give any /proc and /sys they like.
//
// The rule: the smallest of
//   - MemTotal in /proc/meminfo;
//   - cgroup v2: memory.max of the process's group (the "0::PATH" line of
//     /proc/self/cgroup) and of every group above it, under /sys/fs/cgroup;
//   - cgroup v1: memory.limit_in_bytes of the group of the "memory"
//     controller and every group above it, under /sys/fs/cgroup/memory;
// where "max" (v2) and values of 2^62 bytes or more (v1's "no limit") are no
// limit, and a file that is absent or unreadable is skipped. Inside a
// container's cgroup namespace the group's PATH is "/", so its limit is read
// at the top of the mount.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace atm {

struct MemoryLimit {
  uint64_t bytes = 0;
  std::string source;  // where it came from, for messages: "MemTotal", "/sys/fs/cgroup/memory.max", ...
};

// Returns the contents of a small file, or nullopt when it cannot be read.
using TextFileReader = std::function<std::optional<std::string>(const std::string& path)>;

// The real file system.
std::optional<std::string> ReadTextFile(const std::string& path);

// The limit by the rule above; nullopt when not even MemTotal can be read.
std::optional<MemoryLimit> MachineMemoryLimit(const TextFileReader& read = ReadTextFile);

// "128 MiB", "1.5 GiB", "512 KiB", "100 bytes": for messages.
std::string FormatBytes(uint64_t bytes);

}  // namespace atm
