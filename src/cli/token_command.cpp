// atm token verify [TOKEN|-]: checks a JWT against the database's published
// keys, as an offline resource server would (domain/token_check.h), and
// prints its claims.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "app.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"
#include "domain/token_check.h"

namespace atm {
namespace {

constexpr const char* kHelp = R"(usage: atm token verify [TOKEN|-] [--issuer ISS]... [--config PATH] [--db PATH]

Checks a JWT (an access or ID token) against the signing keys published in
the database: the signature with the key its kid names (the alg must be that
key's), exp (required) and nbf against this machine's clock, and iss. With
no TOKEN, or "-", the token is read from stdin (safer than argv, which ps
shows). Revocation, the application and the user are not checked: ask the
server's /introspect for that.
  --issuer ISS   an accepted iss (repeat for more); default: tokens.issuer
                 and the public URL (server.public_url, or http://HOST:PORT
                 from the config)
  --config PATH  the TOML config (default ./config.toml)
  --db PATH|URL  the SQLite database file, or a postgres:// URL (overrides the config)

Prints the claims as JSON and exits 0 when the token is valid; otherwise
prints "atm: invalid token: <reason>" on stderr and exits 1 (2: bad use).
)";

}  // namespace

int RunToken(const Argv& argv) {
  std::set<std::string> valued = kConfigOptions;
  valued.insert("--issuer");
  auto args = ParseArgs(argv, valued, {});
  if (!args) return UsageError(args.error().description);
  if (args->Flag("--help") || (!args->positional.empty() && args->positional[0] == "help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args->positional.empty()) return UsageError("token needs a subcommand: verify (see atm token --help)");
  if (args->positional[0] != "verify") {
    return UsageError("unknown token subcommand \"" + args->positional[0] + "\": use verify");
  }
  if (args->positional.size() > 2) return UsageError("too many arguments: usage: atm token verify [TOKEN|-]");
  auto config = LoadConfigFromArgs(*args);
  if (!config) return UsageError(config.error().description);
  if (auto s = RequireDatabaseFile(*config); !s) return UsageError(s.error().description);

  std::string token;
  if (args->positional.size() == 2 && args->positional[1] != "-") {
    token = args->positional[1];
  } else {
    token.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (token.size() > 64 * 1024) return UsageError("the token on stdin is longer than 64 KiB");
  }
  std::vector<std::string> issuers = args->Options("--issuer");
  if (issuers.empty()) issuers = {config->tokens.issuer, config->PublicUrl(config->server.port)};

  ConfigureLog(LogLevel::kWarn, false);
  auto services = Services::Open(*config);
  if (!services) return UsageError(services.error().description);
  KeyService& keys = (*services)->keys();
  if (auto s = keys.LoadPublished(); !s) {
    std::fprintf(stderr, "atm: %s\n", s.error().description.c_str());
    return 1;
  }
  auto claims = CheckJwt(token, keys.Lookup(), (*services)->clock(), issuers);
  if (!claims) {
    std::fprintf(stderr, "atm: invalid token: %s\n", claims.error().description.c_str());
    return 1;
  }
  std::printf("%s\n", claims->dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace atm
