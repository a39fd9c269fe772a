#include "cli/db_command.h"

#include <cstdio>
#include <map>

#include "admin/json_body.h"
#include "cli/common.h"
#include "core/log.h"

namespace atm {
namespace {

// The option that sets a field, for messages.
std::string OptionFor(const std::string& field) {
  static const std::map<std::string, std::string> kOptions = {
      {"name", "--name"},
      {"redirect_url", "--redirect-url"},
      {"client_id", "--client-id"},
      {"email", "--email"},
      {"first_name", "--first-name"},
      {"last_name", "--last-name"},
      {"offset", "--offset"},
      {"limit", "--limit"},
      {"web_origins", "--web-origin"},
      {"post_logout_redirect_urls", "--post-logout-redirect-url"}};
  auto it = kOptions.find(field);
  return it == kOptions.end() ? "" : it->second;
}

void PrintCommandHelp(const CommandSpec& spec) {
  std::printf("usage: %s\n\n%s\ncommon options:\n", spec.usage, spec.help);
  std::printf("  --config PATH  the TOML config (default ./config.toml); its storage.path is the database\n");
  std::printf(
      "  --db PATH|URL  the SQLite database file, or a postgres:// URL (overrides the config); safe while a server "
      "runs on it\n");
  std::printf("  --json         print JSON (the admin API's shapes) instead of text\n");
  std::printf("  --help         this help\n");
}

}  // namespace

int DispatchSubcommand(const char* group, const std::vector<Command>& table, const Argv& argv) {
  auto help = [&] {
    std::printf("usage: atm %s COMMAND [OPTIONS]   (atm %s COMMAND --help for details)\n\ncommands:\n", group, group);
    for (const auto& s : table) std::printf("  %-14s %s\n", s.name, s.summary);
  };
  if (argv.empty()) {
    std::string names;
    for (const auto& s : table) names += (names.empty() ? "" : "|") + std::string(s.name);
    return UsageError(std::string(group) + ": name a command: atm " + group + " " + names + " (see --help)");
  }
  if (argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    help();
    return 0;
  }
  for (const auto& s : table) {
    if (argv[0] == s.name) return s.run(Argv(argv.begin() + 1, argv.end()));
  }
  return UsageError("unknown command \"" + std::string(group) + " " + argv[0] + "\" (see atm " + group + " --help)");
}

int RunDbCommand(const Argv& argv, const CommandSpec& spec, const std::function<int(Invocation&)>& body) {
  std::set<std::string> valued = spec.valued;
  valued.insert(kConfigOptions.begin(), kConfigOptions.end());
  std::set<std::string> flags = spec.flags;
  flags.insert("--json");
  auto args = ParseArgs(argv, valued, flags);
  if (!args) return UsageError(args.error().description);
  if (args->Flag("--help")) {
    PrintCommandHelp(spec);
    return 0;
  }
  if (args->positional.size() != spec.positional) {
    std::string what = args->positional.size() < spec.positional ? "missing argument" : "too many arguments";
    return UsageError(what + ": usage: " + spec.usage);
  }
  auto config = LoadConfigFromArgs(*args);
  if (!config) return UsageError(config.error().description);
  ConfigureLog(LogLevel::kWarn, false);
  auto services = Services::Open(*config);
  if (!services) return UsageError(services.error().description);
  Invocation inv;
  inv.args = std::move(*args);
  inv.services = std::move(*services);
  inv.json = inv.args.Flag("--json");
  return body(inv);
}

int Fail(const Error& error) {
  std::string option = OptionFor(error.field);
  std::string message =
      option.empty() || !error.Is(ErrorCode::kInvalidRequest) ? error.description : option + ": " + error.description;
  std::fprintf(stderr, "atm: %s\n", message.c_str());
  return error.Is(ErrorCode::kInvalidRequest) || error.Is(ErrorCode::kInvalidConfig) ? kExitUsage : kExitFailed;
}

void PrintJson(const nlohmann::json& value) {
  std::printf("%s\n", value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [k, v] : fields) width = std::max(width, k.size());
  for (const auto& [k, v] : fields) std::printf("%-*s  %s\n", static_cast<int>(width), k.c_str(), v.c_str());
}

void PrintTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::printf("%s\n", out.c_str());
  };
  line(header);
  for (const auto& r : rows) line(r);
}

Result<Page> PageFromArgs(const Args& args) {
  return ParsePage(args.Option("--offset").value_or(""), args.Option("--limit").value_or(""));
}

}  // namespace atm
