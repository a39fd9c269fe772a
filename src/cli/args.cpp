#include "cli/args.h"

#include <cstdio>

namespace atm {

Result<Args> ParseArgs(const std::vector<std::string>& argv, const std::set<std::string>& valued,
                       const std::set<std::string>& flags) {
  Args out;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {  // the end of the options: what follows is positional (an id that starts with '-')
      out.positional.insert(out.positional.end(), argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-' || a[1] != '-') {
      if (a.size() > 1 && a[0] == '-' && a != "-h") return InvalidRequest("unknown option " + a);
      if (a == "-h") {
        out.flags.insert("--help");
        continue;
      }
      out.positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (valued.count(name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) return InvalidRequest(name + " needs a value");
        value = argv[++i];
      }
      out.options[name] = value;
      out.repeated[name].push_back(value);
    } else if (flags.count(name) || name == "--help") {
      if (has_value) return InvalidRequest(name + " takes no value");
      out.flags.insert(name);
    } else {
      return InvalidRequest("unknown option " + name + " (see --help)");
    }
  }
  return out;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "atm: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace atm
