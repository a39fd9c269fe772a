// atm keys rotate | list | export: the signing keys in the database (README "How it
// keeps secrets"). They work on the database file directly, also while a server
// runs on it: the server notices the change within seconds
// (KeyService::Maintain) and signs with the new key; the retired key stays in
// the JWKS until every token it signed has expired.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "app.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"

namespace atm {
namespace {

constexpr const char* kHelp = R"(usage: atm keys rotate [--config PATH] [--db PATH] [--json]
       atm keys list   [--config PATH] [--db PATH] [--json]
       atm keys export [FILE] [--config PATH] [--db PATH]

Manages the signing keys kept in the database.
  rotate   creates a new signing key (algorithm: keys.algorithm in the config)
           and retires the current one; the retired key stays in the JWKS
           until every token it signed has expired (the longest token
           lifetime plus keys.retired_grace). A running server picks the new
           key up within 5 seconds.
  list     shows every key, the signing key first: current, retired and still
           published (until when), or retired and no longer published.
  export   writes the public JWKS, the document the server publishes at
           /.well-known/jwks.json (the current key and the retired keys still
           published), to FILE (through a temporary file, renamed) or to
           stdout: for resource servers that verify tokens offline.
  --config PATH  the TOML config (default ./config.toml)
  --db PATH|URL  the SQLite database, or a postgres:// URL (overrides the config)
  --json         machine-readable output
)";

std::string IsoTime(int64_t t) {
  if (t == 0) return "-";
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json KeyJson(const KeyInfo& k) {
  return {{"kid", k.kid},
          {"alg", k.alg},
          {"created_at", k.created_at},
          {"retired_at", k.retired_at},
          {"published_until", k.published_until},
          {"current", k.current},
          {"published", k.published}};
}

std::string State(const KeyInfo& k) {
  if (k.current) return "current";
  if (k.published) return "retired, in the JWKS until " + IsoTime(k.published_until);
  return "retired, no longer published";
}

// Exit 2 for a config or database that cannot be used, 1 for other failures.
int Fail(const Error& e) {
  if (e.Is(ErrorCode::kInvalidConfig)) return UsageError(e.description);
  std::fprintf(stderr, "atm: %s\n", e.description.c_str());
  return 1;
}

int Rotate(Services& s, bool json) {
  if (!s.config().keys.key_file.empty()) {
    return UsageError(s.config().source +
                      ": keys.key_file is set, so the signing key comes from that file; rotate by replacing it");
  }
  auto kid = s.keys().Rotate("cli");
  if (!kid) return Fail(kid.error());
  auto keys = s.keys().List();
  if (!keys) return Fail(keys.error());
  nlohmann::json retired = nlohmann::json::array();
  std::string alg;
  for (const auto& k : *keys) {
    if (k.kid == *kid) alg = k.alg;
    if (!k.current && k.published) retired.push_back({{"kid", k.kid}, {"published_until", k.published_until}});
  }
  if (json) {
    std::printf("%s\n", nlohmann::json({{"kid", *kid}, {"alg", alg}, {"still_published", retired}}).dump().c_str());
    return 0;
  }
  std::printf("now signing with %s (%s)\n", kid->c_str(), alg.c_str());
  for (const auto& r : retired) {
    std::printf("retired %s: in the JWKS until %s\n", r["kid"].get<std::string>().c_str(),
                IsoTime(r["published_until"].get<int64_t>()).c_str());
  }
  return 0;
}

int Export(Services& s, const std::string& file) {
  if (auto loaded = s.keys().LoadPublished(); !loaded) return Fail(loaded.error());
  const nlohmann::json jwks = nlohmann::json::parse(*s.keys().JwksJson());
  if (jwks["keys"].empty()) {
    std::fprintf(stderr, "atm: no published signing key yet: start the server once, or run atm keys rotate\n");
    return 1;
  }
  const std::string text = jwks.dump(2) + "\n";
  if (file.empty() || file == "-") {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  if (auto w = WriteFileAtomically(file, text); !w) return Fail(w.error());
  std::fprintf(stderr, "wrote %zu keys to %s\n", jwks["keys"].size(), file.c_str());
  return 0;
}

int List(Services& s, bool json) {
  auto keys = s.keys().List();
  if (!keys) return Fail(keys.error());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& k : *keys) out.push_back(KeyJson(k));
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (keys->empty()) {
    std::printf("no keys yet: the server creates one at first start (or run atm keys rotate)\n");
    return 0;
  }
  std::printf("%-44s %-6s %-21s %s\n", "KID", "ALG", "CREATED", "STATE");
  for (const auto& k : *keys) {
    std::printf("%-44s %-6s %-21s %s\n", k.kid.c_str(), k.alg.c_str(), IsoTime(k.created_at).c_str(), State(k).c_str());
  }
  return 0;
}

}  // namespace

int RunKeys(const Argv& argv) {
  auto args = ParseArgs(argv, kConfigOptions, {"--json"});
  if (!args) return UsageError(args.error().description);
  if (args->Flag("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args->positional.empty()) {
    return UsageError("keys needs a subcommand: rotate, list or export (see atm keys --help)");
  }
  const std::string sub = args->positional[0];
  if (sub != "rotate" && sub != "list" && sub != "export") {
    return UsageError("unknown keys subcommand \"" + sub + "\": use rotate, list or export");
  }
  const size_t max_args = sub == "export" ? 2 : 1;
  if (args->positional.size() > max_args) {
    return UsageError("keys " + sub + " takes no argument \"" + args->positional[max_args] + "\"");
  }
  auto config = LoadConfigFromArgs(*args);
  if (!config) return UsageError(config.error().description);
  if (sub == "export") {
    if (args->Flag("--json")) return UsageError("keys export always writes JSON: drop --json");
    if (auto s = RequireDatabaseFile(*config); !s) return UsageError(s.error().description);
  }
  ConfigureLog(LogLevel::kWarn, false);
  auto services = Services::Open(*config);
  if (!services) return Fail(services.error());
  if (sub == "export") return Export(**services, args->positional.size() > 1 ? args->positional[1] : "");
  return sub == "rotate" ? Rotate(**services, args->Flag("--json")) : List(**services, args->Flag("--json"));
}

}  // namespace atm
