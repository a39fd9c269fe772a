// The config keys the OpenID features read.
#include <catch2/catch.hpp>

#include "config/config.h"

using namespace atm;

TEST_CASE("keys.retired_grace takes a duration, 60 seconds by default") {
  CHECK(ParseConfig("", "t.toml").value().keys.retired_grace == 60);
  CHECK(ParseConfig("[keys]\nretired_grace = \"2m\"\n", "t.toml").value().keys.retired_grace == 120);
  CHECK(ParseConfig("[keys]\nretired_grace = 0\n", "t.toml").value().keys.retired_grace == 0);
  auto bad = ParseConfig("[keys]\nretired_grace = -1\n", "t.toml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().description == "t.toml: keys.retired_grace: must be at least 0 seconds");
}

TEST_CASE("server.public_url becomes the issuer without its trailing slash") {
  Config c = ParseConfig("[server]\npublic_url = \"https://id.example.com/\"\n", "t.toml").value();
  CHECK(c.PublicUrl(8080) == "https://id.example.com");
  Config d;
  d.server.host = "0.0.0.0";
  CHECK(d.PublicUrl(9000) == "http://localhost:9000");
}
