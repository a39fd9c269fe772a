// atm audit: the audit trail (README "Audit trail"), read from the database
// file directly, also while a server runs on it.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "admin/views.h"
#include "app.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"

namespace atm {
namespace {

constexpr const char* kHelp = R"(usage: atm audit [--since WHEN] [--until WHEN] [--kind KIND] [--outcome OUTCOME]
                 [--client-id ID] [--actor WHO] [--limit N] [--json] [--config PATH] [--db PATH]

Prints the audit trail's security events, oldest first: sign-ins (signin,
admin.signin), refresh token reuse (refresh.reuse), key rotations (key.rotate),
and changes to applications, users and admins (application.create, ...,
user.password, admin.delete): who, what, when, from where, before and after.
  --since WHEN   events at or after WHEN: seconds since the epoch, an age such
                 as 24h or 7d, or a UTC time such as 2026-12-06 or
                 2026-12-06T10:00:00Z (default: every event kept)
  --until WHEN   events before WHEN (the same forms)
  --kind, --outcome, --client-id, --actor   only the events with this value
  --limit N      the N most recent matching events (default 1000, at most 100000)
  --json         one JSON array (the admin API's item shape)
  --config PATH  the TOML config (default ./config.toml)
  --db PATH|URL  the SQLite database, or a postgres:// URL (overrides the config)
)";

int Fail(const Error& e) {
  if (e.Is(ErrorCode::kInvalidConfig) || e.Is(ErrorCode::kInvalidRequest)) return UsageError(e.description);
  std::fprintf(stderr, "atm: %s\n", e.description.c_str());
  return 1;
}

// One line: what a reader scans for first, the detail last.
void PrintText(const AuditEvent& e) {
  auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::printf("%s %-18s %-15s %-24s %-20s %-24s %-15s %s\n", FormatUtc(e.at).c_str(), e.kind.c_str(),
              dash(e.outcome).c_str(), dash(e.actor).c_str(), dash(e.client_id).c_str(), dash(e.subject).c_str(),
              dash(e.address).c_str(), e.detail.c_str());
}

}  // namespace

int RunAudit(const Argv& argv) {
  auto opts = kConfigOptions;
  for (const char* o : {"--since", "--until", "--kind", "--outcome", "--client-id", "--actor", "--limit"}) {
    opts.insert(o);
  }
  auto args = ParseArgs(argv, opts, {"--json"});
  if (!args) return UsageError(args.error().description);
  if (args->Flag("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args->positional.empty()) return UsageError("audit takes no argument \"" + args->positional[0] + "\"");
  auto config = LoadConfigFromArgs(*args);
  if (!config) return UsageError(config.error().description);
  ConfigureLog(LogLevel::kWarn, false);
  auto services = Services::Open(*config);
  if (!services) return Fail(services.error());
  Services& s = **services;
  AuditFilter filter;
  const int64_t now = s.clock().Now();
  for (auto [name, bound] : {std::pair{"--since", &filter.since}, std::pair{"--until", &filter.until}}) {
    if (auto text = args->Option(name)) {
      auto parsed = ParseTimeBound(*text, now, name);
      if (!parsed) return Fail(parsed.error());
      *bound = *parsed;
    }
  }
  filter.kind = args->Option("--kind").value_or("");
  filter.outcome = args->Option("--outcome").value_or("");
  filter.client_id = args->Option("--client-id").value_or("");
  filter.actor = args->Option("--actor").value_or("");
  Page page;
  page.limit = 1000;
  if (auto limit = args->Option("--limit")) {
    bool digits = !limit->empty() && limit->size() <= 6 &&
                  std::all_of(limit->begin(), limit->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoll(*limit) < 1 || std::stoll(*limit) > 100000) {
      return UsageError("--limit must be a whole number from 1 to 100000");
    }
    page.limit = std::stoll(*limit);
  }
  auto events = s.audit().List(filter, page);
  if (!events) return Fail(events.error());
  std::reverse(events->begin(), events->end());  // oldest first, like a log
  if (args->Flag("--json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *events) out.push_back(AuditEventView(e));
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (events->empty()) {
    std::printf("no audit events match\n");
    return 0;
  }
  std::printf("%-20s %-18s %-15s %-24s %-20s %-24s %-15s %s\n", "TIME", "KIND", "OUTCOME", "ACTOR", "CLIENT", "SUBJECT",
              "ADDRESS", "DETAIL");
  for (const auto& e : *events) PrintText(e);
  return 0;
}

}  // namespace atm
