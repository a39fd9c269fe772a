// atm user add|list|show|update|disable|enable|passwd|delete: the users of an
// application, on the database file (README "Managing applications and users"),
// through UserService like the admin API. Passwords come from stdin or a
// prompt, never from argv.
#include <cstdio>

#include "admin/views.h"
#include "cli/db_command.h"
#include "cli/password_input.h"
#include "domain/validation.h"

namespace atm {
namespace {

constexpr const char* kUserArg =
    "USER is a user id, or an email together with --app CLIENT_ID (emails are unique per application).\n";

// USER: an id, or an email of the application given by --app.
Result<UserRecord> FindUser(const Invocation& inv) {
  const std::string& user = inv.Arg(0);
  UserService& users = inv.services->users();
  auto app = inv.args.Option("--app");
  if (!app) {
    if (user.find('@') != std::string::npos) {
      return InvalidRequest("an email names a user only within an application: add --app CLIENT_ID");
    }
    return users.Get(user);
  }
  if (auto client = inv.services->clients().Get(*app); !client) return client.error();
  auto by_email = users.FindByEmail(*app, user);
  if (by_email || !by_email.error().Is(ErrorCode::kNotFound)) return by_email;
  auto by_id = users.Get(user);
  if (by_id && by_id->client_id == *app) return by_id;
  return Error(ErrorCode::kNotFound, "no user " + user + " in application " + *app);
}

int Show(const Invocation& inv, const UserRecord& u) {
  if (inv.json) {
    PrintJson(UserView(u));
    return 0;
  }
  PrintFields({{"id", u.id},
               {"client_id", u.client_id},
               {"email", u.email},
               {"first_name", u.first_name},
               {"last_name", u.last_name},
               {"status", u.disabled ? "disabled" : "active"}});
  return 0;
}

int Add(const Argv& argv) {
  static const CommandSpec spec{
      "atm user add --app CLIENT_ID --email EMAIL [--first-name NAME] [--last-name NAME] < password",
      "Adds a user to an application. The password is read from stdin (first line), or\n"
      "asked twice without echo on a terminal.\n",
      {"--app", "--email", "--first-name", "--last-name"},
      {},
      0};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto app = inv.args.Option("--app");
    if (!app) return UsageError("--app CLIENT_ID is required (see atm app list)");
    if (!inv.args.Option("--email")) return UsageError("--email is required");
    // The application and the email first, so that a typo is not found out after the prompt.
    if (auto client = inv.services->clients().Get(*app); !client) return Fail(client.error());
    if (auto s = ValidateEmail(Trim(*inv.args.Option("--email")), "email"); !s) return Fail(s.error());
    auto password = ReadPassword("Password for " + *inv.args.Option("--email"), true);
    if (!password) return Fail(password.error());
    auto user = inv.services->users().Create(
        {*app, *inv.args.Option("--email"), *password, "", inv.args.Option("--first-name").value_or(""),
         inv.args.Option("--last-name").value_or("")},
        kCliActor);
    if (!user) return Fail(user.error());
    return Show(inv, *user);
  });
}

int List(const Argv& argv) {
  static const CommandSpec spec{"atm user list --app CLIENT_ID [--email TEXT] [--offset N] [--limit N]",
                                "Lists the users of an application by email, 50 at a time.\n"
                                "  --email TEXT   only emails containing TEXT (case-insensitive)\n",
                                {"--app", "--email", "--offset", "--limit"},
                                {},
                                0};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto app = inv.args.Option("--app");
    if (!app) return UsageError("--app CLIENT_ID is required (see atm app list)");
    auto page = PageFromArgs(inv.args);
    if (!page) return Fail(page.error());
    if (auto client = inv.services->clients().Get(*app); !client) return Fail(client.error());
    std::string filter = inv.args.Option("--email").value_or("");
    auto total = inv.services->users().Count(*app, filter);
    if (!total) return Fail(total.error());
    auto users = inv.services->users().List(*app, filter, *page);
    if (!users) return Fail(users.error());
    if (inv.json) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& u : *users) items.push_back(UserView(u));
      PrintJson(ListView(std::move(items), *total, *page));
      return 0;
    }
    if (*total == 0) {
      std::printf(filter.empty() ? "No users yet: atm user add --app %s --email EMAIL\n" : "No user matches.\n",
                  app->c_str());
      return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : *users) {
      rows.push_back({u.id, u.email, u.first_name, u.last_name, u.disabled ? "disabled" : "active"});
    }
    PrintTable({"ID", "EMAIL", "FIRST NAME", "LAST NAME", "STATUS"}, rows);
    if (page->offset > 0 || static_cast<int64_t>(rows.size()) < *total) {
      std::printf("(%lld to %lld of %lld; see --offset and --limit)\n", static_cast<long long>(page->offset + 1),
                  static_cast<long long>(page->offset + static_cast<int64_t>(rows.size())),
                  static_cast<long long>(*total));
    }
    return 0;
  });
}

int ShowCommand(const Argv& argv) {
  static const std::string help = std::string("Shows one user.\n") + kUserArg;
  static const CommandSpec spec{"atm user show USER [--app CLIENT_ID]", help.c_str(), {"--app"}, {}, 1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto user = FindUser(inv);
    if (!user) return Fail(user.error());
    return Show(inv, *user);
  });
}

int Update(const Argv& argv) {
  static const std::string help = std::string("Changes a user: only the options given.\n") + kUserArg;
  static const CommandSpec spec{
      "atm user update USER [--app CLIENT_ID] [--email EMAIL] [--first-name NAME] [--last-name NAME]",
      help.c_str(),
      {"--app", "--email", "--first-name", "--last-name"},
      {},
      1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    UserChanges changes;
    changes.email = inv.args.Option("--email");
    changes.first_name = inv.args.Option("--first-name");
    changes.last_name = inv.args.Option("--last-name");
    if (!changes.email && !changes.first_name && !changes.last_name) {
      return UsageError("nothing to change: give --email, --first-name or --last-name");
    }
    auto user = FindUser(inv);
    if (!user) return Fail(user.error());
    auto updated = inv.services->users().Update(user->id, changes, kCliActor);
    if (!updated) return Fail(updated.error());
    return Show(inv, *updated);
  });
}

int SetDisabled(const Argv& argv, bool disabled) {
  static const std::string disable_help =
      std::string("Disables a user: they can no longer sign in (their data stays).\n") + kUserArg;
  static const std::string enable_help = std::string("Enables a disabled user again.\n") + kUserArg;
  static const CommandSpec disable{"atm user disable USER [--app CLIENT_ID]", disable_help.c_str(), {"--app"}, {}, 1};
  static const CommandSpec enable{"atm user enable USER [--app CLIENT_ID]", enable_help.c_str(), {"--app"}, {}, 1};
  return RunDbCommand(argv, disabled ? disable : enable, [&](Invocation& inv) {
    auto user = FindUser(inv);
    if (!user) return Fail(user.error());
    UserChanges changes;
    changes.disabled = disabled;
    auto updated = inv.services->users().Update(user->id, changes, kCliActor);
    if (!updated) return Fail(updated.error());
    return Show(inv, *updated);
  });
}
int Disable(const Argv& argv) { return SetDisabled(argv, true); }
int Enable(const Argv& argv) { return SetDisabled(argv, false); }

int Passwd(const Argv& argv) {
  static const std::string help =
      std::string("Sets a new password, read from stdin or asked twice on a terminal.\n") + kUserArg;
  static const CommandSpec spec{"atm user passwd USER [--app CLIENT_ID] < password", help.c_str(), {"--app"}, {}, 1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto user = FindUser(inv);
    if (!user) return Fail(user.error());
    auto password = ReadPassword("New password for " + user->email, true);
    if (!password) return Fail(password.error());
    if (auto s = inv.services->users().SetPassword(user->id, *password, kCliActor); !s) return Fail(s.error());
    if (inv.json) {
      PrintJson({{"id", user->id}, {"password_changed", true}});
    } else {
      std::printf("Changed the password of %s.\n", user->email.c_str());
    }
    return 0;
  });
}

int Delete(const Argv& argv) {
  static const std::string help = std::string("Deletes a user and revokes their tokens.\n") + kUserArg;
  static const CommandSpec spec{"atm user delete USER [--app CLIENT_ID]", help.c_str(), {"--app"}, {}, 1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto user = FindUser(inv);
    if (!user) return Fail(user.error());
    if (auto s = inv.services->users().Delete(user->id, kCliActor); !s) return Fail(s.error());
    if (inv.json) {
      PrintJson({{"deleted", user->id}});
    } else {
      std::printf("Deleted user %s (%s).\n", user->email.c_str(), user->id.c_str());
    }
    return 0;
  });
}

}  // namespace

int RunUser(const Argv& argv) {
  return DispatchSubcommand("user",
                            {{"add", Add, "add a user to an application (password from stdin)"},
                             {"list", List, "list or search the users of an application"},
                             {"show", ShowCommand, "show one user"},
                             {"update", Update, "change a user's email or name"},
                             {"disable", Disable, "stop a user from signing in"},
                             {"enable", Enable, "let a disabled user sign in again"},
                             {"passwd", Passwd, "set a user's password (from stdin)"},
                             {"delete", Delete, "delete a user and revoke their tokens"}},
                            argv);
}

}  // namespace atm
