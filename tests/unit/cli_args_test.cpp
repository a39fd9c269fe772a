// The subcommands' argument parser (cli/args.h): options with values, flags,
// positional arguments, "--" before an argument that starts with '-', and a
// one-line error for anything else.
#include <catch2/catch.hpp>

#include "cli/args.h"

namespace atm {

TEST_CASE("options, flags and positional arguments; -- ends the options", "[cli]") {
  auto args = ParseArgs({"show", "--app=a1", "--json", "--db", "x.db", "--", "-id-with-dash", "--json"},
                        {"--app", "--db"}, {"--json"});
  REQUIRE(args);
  CHECK(args->positional == std::vector<std::string>{"show", "-id-with-dash", "--json"});
  CHECK(args->Option("--app") == "a1");
  CHECK(args->Option("--db") == "x.db");
  CHECK(args->Flag("--json"));
  CHECK(ParseArgs({"-"}, {}, {})->positional == std::vector<std::string>{"-"});  // stdin
  CHECK(ParseArgs({"-h"}, {}, {})->Flag("--help"));
}

TEST_CASE("an unknown option, a missing value or a value for a flag is an error naming it", "[cli]") {
  struct Case {
    std::vector<std::string> argv;
    const char* message;
  };
  const Case cases[] = {
      {{"-id-with-dash"}, "unknown option -id-with-dash"},
      {{"--nope"}, "unknown option --nope"},
      {{"--db"}, "--db needs a value"},
      {{"--json=1"}, "--json takes no value"},
  };
  for (const auto& c : cases) {
    auto args = ParseArgs(c.argv, {"--db"}, {"--json"});
    REQUIRE_FALSE(args);
    CHECK_THAT(args.error().description, Catch::Matchers::StartsWith(c.message));
  }
}

}  // namespace atm
