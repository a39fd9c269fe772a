// Command-line parsing shared by the subcommands: --name value / --name=value
// options, --flags, positional arguments, and the one-line usage error.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace atm {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;                // "--port" -> "8080" (the last one given)
  std::map<std::string, std::vector<std::string>> repeated;  // every value, in order
  std::set<std::string> flags;                               // "--json"

  std::optional<std::string> Option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
  // Every value of an option that may be repeated (--redirect-url A --redirect-url B).
  std::vector<std::string> Options(const std::string& name) const {
    auto it = repeated.find(name);
    return it == repeated.end() ? std::vector<std::string>() : it->second;
  }
  bool Flag(const std::string& name) const { return flags.count(name) > 0; }
};

// `valued` lists options that take a value; `flags` those that do not. Anything
// else is an error naming the unknown option.
Result<Args> ParseArgs(const std::vector<std::string>& argv, const std::set<std::string>& valued,
                       const std::set<std::string>& flags);

// Exit status for bad use (README "Running it").
inline constexpr int kExitUsage = 2;

// Prints "atm: <message>" on stderr and returns kExitUsage.
int UsageError(const std::string& message);

}  // namespace atm
