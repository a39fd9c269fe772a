// atm admin create|list|passwd|delete|token: the administrators of the console
// and the admin API, on the database file. Passwords come from stdin or a
// prompt, never from argv.
#include <cstdio>
#include <map>

#include "admin/views.h"
#include "cli/db_command.h"
#include "cli/password_input.h"

namespace atm {
namespace {

int Create(const Argv& argv) {
  static const CommandSpec spec{"atm admin create USERNAME < password",
                                "Creates an administrator of the console (/admin) and the admin API.\n"
                                "The password is read from stdin (first line), or asked twice on a terminal.\n",
                                {},
                                {},
                                1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    if (auto s = ValidateAdminUsername(inv.Arg(0)); !s) return Fail(s.error());
    auto password = ReadPassword("Password for " + inv.Arg(0), true);
    if (!password) return Fail(password.error());
    auto admin = inv.services->admins().Create(inv.Arg(0), *password, kCliActor);
    if (!admin) return Fail(admin.error());
    if (inv.json) {
      PrintJson(AdminView(*admin));
    } else {
      std::printf("Created admin %s: sign in at /admin.\n", admin->username.c_str());
    }
    return 0;
  });
}

int List(const Argv& argv) {
  static const CommandSpec spec{"atm admin list", "Lists the administrators.\n", {}, {}, 0};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto admins = inv.services->admins().List();
    if (!admins) return Fail(admins.error());
    if (inv.json) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& a : *admins) items.push_back(AdminView(a));
      PrintJson({{"items", items}, {"total", admins->size()}});
      return 0;
    }
    if (admins->empty()) {
      std::printf("No admins yet: atm admin create USERNAME\n");
      return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : *admins) rows.push_back({a.username});
    PrintTable({"USERNAME"}, rows);
    return 0;
  });
}

int Passwd(const Argv& argv) {
  static const CommandSpec spec{"atm admin passwd USERNAME < password",
                                "Sets an administrator's password (stdin, or asked twice on a terminal)\n"
                                "and signs them out everywhere.\n",
                                {},
                                {},
                                1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    if (auto admin = inv.services->admins().Get(inv.Arg(0)); !admin) return Fail(admin.error());
    auto password = ReadPassword("New password for " + inv.Arg(0), true);
    if (!password) return Fail(password.error());
    if (auto s = inv.services->admins().SetPassword(inv.Arg(0), *password, kCliActor); !s) return Fail(s.error());
    if (inv.json) {
      PrintJson({{"username", inv.Arg(0)}, {"password_changed", true}});
    } else {
      std::printf("Changed the password of admin %s; their sessions are ended.\n", inv.Arg(0).c_str());
    }
    return 0;
  });
}

int Delete(const Argv& argv) {
  static const CommandSpec spec{
      "atm admin delete USERNAME", "Deletes an administrator and ends their sessions.\n", {}, {}, 1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    if (auto s = inv.services->admins().Delete(inv.Arg(0), kCliActor); !s) return Fail(s.error());
    if (inv.json) {
      PrintJson({{"deleted", inv.Arg(0)}});
    } else {
      std::printf("Deleted admin %s.\n", inv.Arg(0).c_str());
    }
    return 0;
  });
}

// "90", "90s", "15m", "12h", "30d" -> seconds.
Result<int64_t> ParseTtl(const std::string& text) {
  static const std::map<char, int64_t> kUnits = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string rest = text.substr(digits);
  bool ok = digits > 0 && digits <= 7 && (rest.empty() || (rest.size() == 1 && kUnits.count(rest[0])));
  int64_t seconds = ok ? std::stoll(text.substr(0, digits)) * (rest.empty() ? 1 : kUnits.at(rest[0])) : 0;
  if (!ok || seconds < 60 || seconds > 366 * 86400) {
    return InvalidRequest("--ttl: expected a duration from 60s to 366d, such as 3600, \"90m\" or \"7d\", got \"" +
                          text + "\"");
  }
  return seconds;
}

int Token(const Argv& argv) {
  static const CommandSpec spec{
      "atm admin token USERNAME [--ttl DURATION]",
      "Prints a bearer token for the admin API (Authorization: Bearer TOKEN), for scripts.\n"
      "No password is asked: whoever can run this already holds the database.\n"
      "  --ttl DURATION  how long it works, e.g. 3600, \"90m\", \"7d\" (default: [admin] token_ttl)\n",
      {"--ttl"},
      {},
      1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    int64_t ttl = 0;
    if (auto text = inv.args.Option("--ttl")) {
      auto parsed = ParseTtl(*text);
      if (!parsed) return Fail(parsed.error());
      ttl = *parsed;
    }
    auto token = inv.services->admins().IssueToken(inv.Arg(0), ttl);
    if (!token) return Fail(token.error());
    if (inv.json) {
      PrintJson({{"access_token", token->token}, {"token_type", "Bearer"}, {"expires_at", token->expires_at}});
    } else {
      std::printf("%s\n", token->token.c_str());
    }
    return 0;
  });
}

}  // namespace

int RunAdmin(const Argv& argv) {
  return DispatchSubcommand("admin",
                            {{"create", Create, "create an administrator (password from stdin)"},
                             {"list", List, "list the administrators"},
                             {"passwd", Passwd, "set an administrator's password; ends their sessions"},
                             {"delete", Delete, "delete an administrator"},
                             {"token", Token, "print an admin API bearer token"}},
                            argv);
}

}  // namespace atm
