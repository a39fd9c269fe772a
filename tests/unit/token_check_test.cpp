// atm token verify's check (domain/token_check.h): a table of named tokens,
// each valid or refused with its one-line reason.
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/signing_key.h"
#include "domain/token_check.h"

namespace atm {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

struct Keys {
  std::shared_ptr<const SigningKey> ours;
  std::shared_ptr<const SigningKey> stranger;  // same alg, not published
  Keys() {
    auto a = SigningKey::Generate(JwsAlg::kES256);
    auto b = SigningKey::Generate(JwsAlg::kES256);
    REQUIRE(a);
    REQUIRE(b);
    ours = std::move(*a);
    stranger = std::move(*b);
  }
  KeyLookup Lookup() const {
    return [k = ours](const std::string& kid) { return kid == k->kid() ? k : nullptr; };
  }
};

const Keys& TestKeys() {
  static const Keys keys;
  return keys;
}

nlohmann::json Claims() { return {{"iss", "atm"}, {"sub", "user-1"}, {"iat", kNow - 10}, {"exp", kNow + 600}}; }

std::string Sign(const nlohmann::json& claims, const SigningKey& key) {
  auto t = SignJwt(key, claims);
  REQUIRE(t);
  return *t;
}

// The token with its payload replaced (signature kept).
std::string WithPayload(const std::string& token, const nlohmann::json& claims) {
  const size_t d1 = token.find('.'), d2 = token.rfind('.');
  return token.substr(0, d1 + 1) + Base64UrlEncode(claims.dump()) + token.substr(d2);
}

}  // namespace

TEST_CASE("a token is valid only when signed by a published key, in its time, from an accepted issuer",
          "[token_check]") {
  const Keys& k = TestKeys();
  struct Case {
    const char* name;
    std::string token;
    const char* reason;  // nullptr: valid
  };
  auto with = [](std::initializer_list<std::pair<const std::string, nlohmann::json>> changes) {
    nlohmann::json c = Claims();
    for (const auto& [key, value] : changes) {
      if (value.is_null()) {
        c.erase(key);
      } else {
        c[key] = value;
      }
    }
    return c;
  };
  const std::string valid = Sign(Claims(), *k.ours);
  auto c = GENERATE_COPY(values<Case>({
      {"valid", valid, nullptr},
      {"valid, with a trailing newline (stdin)", valid + "\n", nullptr},
      {"valid, the other issuer", Sign(with({{"iss", "http://127.0.0.1:9000"}}), *k.ours), nullptr},
      {"valid, nbf now", Sign(with({{"nbf", kNow}}), *k.ours), nullptr},
      {"expired", Sign(with({{"exp", kNow - 1}}), *k.ours), "the token expired at 2027-01-15T07:59:59Z"},
      {"expires this second", Sign(with({{"exp", kNow}}), *k.ours), "the token expired at"},
      {"not yet valid", Sign(with({{"nbf", kNow + 60}}), *k.ours),
       "the token is not valid before 2027-01-15T08:01:00Z"},
      {"no exp", Sign(with({{"exp", nullptr}}), *k.ours), "the token has no exp"},
      {"exp a string", Sign(with({{"exp", "tomorrow"}}), *k.ours), "the token's exp is not a number"},
      {"wrong issuer", Sign(with({{"iss", "evil"}}), *k.ours),
       "the token's issuer \"evil\" is not one of \"atm\", \"http://127.0.0.1:9000\""},
      {"no issuer", Sign(with({{"iss", nullptr}}), *k.ours), "the token has no iss"},
      {"tampered payload", WithPayload(valid, with({{"sub", "admin"}})), "the token signature is invalid"},
      {"tampered signature", valid.substr(0, valid.size() - 2) + (valid.back() == 'A' ? "BB" : "AA"),
       "the token signature is invalid"},
      {"unknown kid", Sign(Claims(), *k.stranger), "the token was not signed by a key of this server"},
      {"not a JWT", "hello", "the token is not a compact JWS (three parts)"},
      {"empty", "", "no token"},
  }));
  INFO(c.name);
  FakeClock clock(kNow);
  auto claims = CheckJwt(c.token, k.Lookup(), clock, {"atm", "http://127.0.0.1:9000"});
  if (c.reason == nullptr) {
    REQUIRE(claims);
    CHECK((*claims)["sub"] == "user-1");
  } else {
    REQUIRE_FALSE(claims);
    CHECK(claims.error().Is(ErrorCode::kInvalidToken));
    CHECK(claims.error().description.rfind(c.reason, 0) == 0);
  }
}

TEST_CASE("an alg that is not the key's is refused, whatever the signature", "[token_check]") {
  const Keys& k = TestKeys();
  const std::string token = Sign(Claims(), *k.ours);
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", k.ours->kid()}};
  const std::string forged = Base64UrlEncode(header.dump()) + token.substr(token.find('.'));
  FakeClock clock(kNow);
  auto claims = CheckJwt(forged, k.Lookup(), clock, {"atm"});
  REQUIRE_FALSE(claims);
  CHECK(claims.error().description == "the token's alg does not match its key");
}

}  // namespace atm
