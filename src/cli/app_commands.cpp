// atm app create|list|show|update|delete|rotate-secret: applications, on the
// database file (README "Managing applications and users"), through
// ClientService like the admin API.
#include <cstdio>
#include <iostream>

#include "admin/views.h"
#include "cli/db_command.h"
#include "cli/password_input.h"

namespace atm {
namespace {

const char* kRedirectHelp =
    "  --redirect-url URL  repeat for several; https://..., http://localhost..., or myapp://callback\n";
const char* kListsHelp =
    "  --web-origin ORIGIN\n"
    "                      a page allowed by CORS besides the redirect URLs' origins, as\n"
    "                      scheme://host[:port] (https://app.example.com); repeat for several\n"
    "  --post-logout-redirect-url URL\n"
    "                      where sign-out may return besides the redirect URLs; repeat for several\n";

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// A list in text output: its items on one line, or "-" when it is empty.
std::string ListText(const std::vector<std::string>& v) { return v.empty() ? "-" : Join(v, " "); }

std::string TypeText(const ClientRecord& c) {
  return std::string(kAuthenticatorType) + (c.is_public ? " (public)" : " (confidential)");
}

// Shows one application, with its plain secret when it was just made.
int Show(const Invocation& inv, const ClientRecord& c, const std::string& secret) {
  auto count = inv.services->users().Count(c.id, "");
  if (!count) return Fail(count.error());
  if (inv.json) {
    nlohmann::json out = ApplicationView(c, *count);
    if (!secret.empty()) out["client_secret"] = secret;
    PrintJson(out);
    return 0;
  }
  std::vector<std::pair<std::string, std::string>> fields = {{"name", c.name}, {"client_id", c.id}};
  if (!secret.empty()) fields.emplace_back("client_secret", secret + "   (shown once: store it now)");
  fields.emplace_back("type", TypeText(c));
  fields.emplace_back("redirect_urls", Join(c.redirect_urls, " "));
  fields.emplace_back("web_origins", ListText(c.web_origins));
  fields.emplace_back("post_logout_redirect_urls", ListText(c.post_logout_redirect_urls));
  fields.emplace_back("device_grant", c.device_grant ? "allowed" : "off");
  fields.emplace_back("status", c.disabled ? "disabled" : "enabled");
  fields.emplace_back("users", std::to_string(*count));
  PrintFields(fields);
  return 0;
}

int Create(const Argv& argv) {
  static const std::string help =
      std::string(
          "Creates an application (Authenticator Type: Authorization PKCE Flow) and prints its\n"
          "client ID and client secret. The secret is shown only now: store it.\n"
          "  --name NAME         the name users see on the login page\n") +
      kRedirectHelp + kListsHelp +
      "  --public            a public client (SPA, mobile): PKCE only, no secret\n"
      "  --device-grant      may use the device authorization grant (RFC 8628: TVs, CLIs)\n"
      "  --client-id ID      choose the client ID (default: 20 random characters)\n"
      "  --secret-stdin      read the client secret from stdin (default: 32 random characters)\n";
  static const CommandSpec spec{
      "atm app create --name NAME --redirect-url URL [--web-origin ORIGIN]... [--post-logout-redirect-url URL]... "
      "[--public] [--device-grant] [--client-id ID] [--secret-stdin]",
      help.c_str(),
      {"--name", "--redirect-url", "--web-origin", "--post-logout-redirect-url", "--client-id"},
      {"--public", "--device-grant", "--secret-stdin"},
      0};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    if (!inv.args.Option("--name")) return UsageError("--name is required (see --help)");
    if (inv.args.Options("--redirect-url").empty()) return UsageError("--redirect-url is required (see --help)");
    NewApplication app;
    app.name = *inv.args.Option("--name");
    app.redirect_urls = inv.args.Options("--redirect-url");
    app.web_origins = inv.args.Options("--web-origin");
    app.post_logout_redirect_urls = inv.args.Options("--post-logout-redirect-url");
    app.is_public = inv.args.Flag("--public");
    app.device_grant = inv.args.Flag("--device-grant");
    app.client_id = inv.args.Option("--client-id").value_or("");
    if (inv.args.Flag("--secret-stdin")) {
      if (app.is_public) return UsageError("--secret-stdin: a public application has no client secret");
      auto secret = ReadPassword("Client secret", true);
      if (!secret) return Fail(Error(ErrorCode::kInvalidRequest, "client secret: " + secret.error().description));
      app.client_secret = *secret;
    }
    auto created = inv.services->clients().Create(app, kCliActor);
    if (!created) return Fail(created.error());
    return Show(inv, created->record, created->client_secret);
  });
}

int List(const Argv& argv) {
  static const CommandSpec spec{"atm app list [--offset N] [--limit N]",
                                "Lists the applications, oldest first, 50 at a time (--limit up to 200).\n",
                                {"--offset", "--limit"},
                                {},
                                0};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto page = PageFromArgs(inv.args);
    if (!page) return Fail(page.error());
    auto total = inv.services->clients().Count();
    if (!total) return Fail(total.error());
    auto apps = inv.services->clients().List(*page);
    if (!apps) return Fail(apps.error());
    nlohmann::json items = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : *apps) {
      auto count = inv.services->users().Count(c.id, "");
      if (!count) return Fail(count.error());
      items.push_back(ApplicationView(c, *count));
      rows.push_back({c.id, c.name, c.is_public ? "public" : "confidential", std::to_string(*count),
                      c.disabled ? "disabled" : "enabled", Join(c.redirect_urls, " "), ListText(c.web_origins),
                      ListText(c.post_logout_redirect_urls)});
    }
    if (inv.json) {
      PrintJson(ListView(std::move(items), *total, *page));
      return 0;
    }
    if (*total == 0) {
      std::printf("No applications yet: atm app create --name NAME --redirect-url URL\n");
      return 0;
    }
    PrintTable({"CLIENT ID", "NAME", "TYPE", "USERS", "STATUS", "REDIRECT URL", "WEB ORIGINS", "POST-LOGOUT URLS"},
               rows);
    if (page->offset > 0 || static_cast<int64_t>(rows.size()) < *total) {
      std::printf("(%lld to %lld of %lld; see --offset and --limit)\n", static_cast<long long>(page->offset + 1),
                  static_cast<long long>(page->offset + static_cast<int64_t>(rows.size())),
                  static_cast<long long>(*total));
    }
    return 0;
  });
}

int ShowCommand(const Argv& argv) {
  static const CommandSpec spec{"atm app show CLIENT_ID", "Shows one application (never its secret).\n", {}, {}, 1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto app = inv.services->clients().Get(inv.Arg(0));
    if (!app) return Fail(app.error());
    return Show(inv, *app, "");
  });
}

int Update(const Argv& argv) {
  static const std::string help =
      std::string(
          "Changes an application: only the options given. --redirect-url, --web-origin and\n"
          "--post-logout-redirect-url each replace their whole list; --web-origin '' or\n"
          "--post-logout-redirect-url '' empties that list.\n"
          "  --name NAME\n") +
      kRedirectHelp + kListsHelp +
      "  --disable           its users can no longer sign in\n"
      "  --enable            undoes --disable\n"
      "  --device-grant on|off  whether it may use the device authorization grant\n";
  static const CommandSpec spec{
      "atm app update CLIENT_ID [--name NAME] [--redirect-url URL]... [--web-origin ORIGIN]... "
      "[--post-logout-redirect-url URL]... [--disable|--enable] [--device-grant on|off]",
      help.c_str(),
      {"--name", "--redirect-url", "--web-origin", "--post-logout-redirect-url", "--device-grant"},
      {"--disable", "--enable"},
      1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    ApplicationChanges changes;
    changes.name = inv.args.Option("--name");
    if (auto urls = inv.args.Options("--redirect-url"); !urls.empty()) changes.redirect_urls = urls;
    if (auto origins = inv.args.Options("--web-origin"); !origins.empty()) changes.web_origins = origins;
    if (auto urls = inv.args.Options("--post-logout-redirect-url"); !urls.empty()) {
      changes.post_logout_redirect_urls = urls;
    }
    if (inv.args.Flag("--disable") && inv.args.Flag("--enable"))
      return UsageError("give --disable or --enable, not both");
    if (inv.args.Flag("--disable")) changes.disabled = true;
    if (inv.args.Flag("--enable")) changes.disabled = false;
    if (auto device = inv.args.Option("--device-grant")) {
      if (*device != "on" && *device != "off") return UsageError("--device-grant takes on or off");
      changes.device_grant = *device == "on";
    }
    if (!changes.name && !changes.redirect_urls && !changes.web_origins && !changes.post_logout_redirect_urls &&
        !changes.disabled && !changes.device_grant) {
      return UsageError(
          "nothing to change: give --name, --redirect-url, --web-origin, --post-logout-redirect-url, --disable, "
          "--enable or --device-grant");
    }
    auto updated = inv.services->clients().Update(inv.Arg(0), changes, kCliActor);
    if (!updated) return Fail(updated.error());
    return Show(inv, *updated, "");
  });
}

int Delete(const Argv& argv) {
  static const CommandSpec spec{
      "atm app delete CLIENT_ID", "Deletes an application with its users and every token issued to it.\n", {}, {}, 1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto app = inv.services->clients().Get(inv.Arg(0));
    if (!app) return Fail(app.error());
    auto count = inv.services->users().Count(app->id, "");
    if (!count) return Fail(count.error());
    if (auto s = inv.services->clients().Delete(app->id, kCliActor); !s) return Fail(s.error());
    if (inv.json) {
      PrintJson({{"deleted", app->id}, {"users_deleted", *count}});
    } else {
      std::printf("Deleted application %s (%s) and its %lld user(s).\n", app->name.c_str(), app->id.c_str(),
                  static_cast<long long>(*count));
    }
    return 0;
  });
}

int RotateSecret(const Argv& argv) {
  static const CommandSpec spec{"atm app rotate-secret CLIENT_ID",
                                "Replaces the client secret with a new random one and prints it once.\n"
                                "The old secret stops working at once.\n",
                                {},
                                {},
                                1};
  return RunDbCommand(argv, spec, [&](Invocation& inv) {
    auto secret = inv.services->clients().RotateSecret(inv.Arg(0), kCliActor);
    if (!secret) return Fail(secret.error());
    if (inv.json) {
      PrintJson({{"client_id", inv.Arg(0)}, {"client_secret", *secret}});
    } else {
      PrintFields({{"client_id", inv.Arg(0)}, {"client_secret", *secret + "   (shown once: store it now)"}});
    }
    return 0;
  });
}

}  // namespace

int RunApp(const Argv& argv) {
  return DispatchSubcommand("app",
                            {{"create", Create, "create an application; prints its client secret once"},
                             {"list", List, "list the applications"},
                             {"show", ShowCommand, "show one application"},
                             {"update", Update, "change the name, URLs and origins, or disable/enable"},
                             {"delete", Delete, "delete an application, its users and tokens"},
                             {"rotate-secret", RotateSecret, "replace the client secret; prints the new one once"}},
                            argv);
}

}  // namespace atm
