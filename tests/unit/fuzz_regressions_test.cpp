// Inputs that fuzz/ found crashing a property, kept as tests (the inputs are
// also in the fuzzers' seed corpora, fuzz/corpus/).
#include <catch2/catch.hpp>
#include <string>

#include "config/config.h"

using namespace std::string_literals;

TEST_CASE("config errors stay on one line whatever the file holds", "[config][fuzz]") {
  // fuzz_config: toml++ quotes what it saw, here a newline, in its message.
  const std::string found_by_fuzzer = "[server]\nhost =i\n\0iiii \"0.0.0.0\"\nport = 0\n"s;
  const std::string cases[] = {
      found_by_fuzzer,
      "[server]\nlog_format = \"\"\"text\njson\"\"\"\n",
      "[tokens]\naccess_token_ttl = \"10\r\nm\"\n",
      "[server]\nhost = 1\x01\n",
      "[[applications]]\nname = \"x\"\nredirect_url = \"http://localhost/cb\"\npublic = true\n"
      "client_secret = \"\"\"a\nb\"\"\"\n",
  };
  for (const auto& text : cases) {
    auto config = atm::ParseConfig(text, "t.toml");
    INFO(text);
    REQUIRE_FALSE(config.ok());
    const std::string& d = config.error().description;
    CHECK(d.rfind("t.toml", 0) == 0);
    CHECK(d.find('\n') == std::string::npos);
    CHECK(d.find('\r') == std::string::npos);
  }
  auto quoted = atm::ParseConfig("[server]\nlog_format = \"\"\"a\nb\"\"\"\n", "t.toml");
  CHECK(quoted.error().description == "t.toml: server.log_format: expected one of \"text\", \"json\", got \"a\\nb\"");
}

TEST_CASE("non-ASCII code points where toml++ looks for whitespace are plain parse errors", "[config][fuzz]") {
  // fuzz_config: toml++ 3.3.0 reached __builtin_unreachable() for these
  // (undefined behaviour; UBSan aborts). cmake/patch_tomlplusplus.cmake fixes it.
  struct Case {
    std::string text;
    bool parses;
  };
  const Case cases[] = {
      {"i= 1979-02\xc9\xab-50|:s2:00Z 1\n", false},  // found by the fuzzer (U+026B)
      {"s = \"\"\"\\\n\xc2\xa7\"\"\"\n", true},      // marzer/tomlplusplus#190 (U+00A7): valid TOML
      {"x = 1\xe2\xb4\x80\n", false},                // U+2D00
      {"x = 1 \xef\xb9\xb0\n", false},               // U+FE70
      {"\xc3\xa9 = 1\n", false},                     // U+00E9 as a key
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto config = atm::ParseConfig(c.text, "t.toml");
    REQUIRE_FALSE(config.ok());
    // A document toml++ accepts still fails on our side, as an unknown key.
    CHECK((config.error().description.find("unknown key") != std::string::npos) == c.parses);
  }
}
