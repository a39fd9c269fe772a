// Logging: one line per event to stderr. stdout carries only the listening line.
#pragma once

#include <string_view>

namespace atm {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets the minimum level and whether lines are JSON objects. Called once at
// start-up, before any thread logs.
void ConfigureLog(LogLevel min_level, bool json);
void Log(LogLevel level, std::string_view message);

}  // namespace atm
