// CodeService (RFC 6749 §4.1.2, RFC 7636 §4.6): codes of the ATM shape,
// stored hashed, single use, bound to client, challenge and redirect URI, and
// expiring after the TTL on the injected clock.
#include <catch2/catch.hpp>
#include <regex>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "domain/codes.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

struct Fixture {
  FakeClock clock;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<CodeService> codes;
  explicit Fixture(int64_t ttl = 60) {
    auto s = SqliteStore::Open({":memory:", false, 1000});
    REQUIRE(s.ok());
    store = std::move(*s);
    ClientRecord c{"client", "App", "", {"https://app.example/cb"}};
    REQUIRE(store->CreateClient(c).ok());
    REQUIRE(store->CreateClient(ClientRecord{"other", "Other", "", {"https://other.example/cb"}}).ok());
    UserRecord u;
    u.id = "user";
    u.client_id = "client";
    u.email = "a@example.com";
    u.password_hash = "x";
    REQUIRE(store->CreateUser(u).ok());
    codes = std::make_unique<CodeService>(*store, clock, ttl);
  }
  std::string Issue(const std::string& redirect_uri = "", PkceMethod method = PkceMethod::kS256,
                    const std::string& challenge = kChallenge) {
    CodeRequest r;
    r.client_id = "client";
    r.user_id = "user";
    r.challenge = challenge;
    r.method = method;
    r.redirect_uri = redirect_uri;
    r.auth_time = clock.Now();
    auto code = codes->Issue(r);
    REQUIRE(code.ok());
    return *code;
  }
};

}  // namespace

TEST_CASE("a code is 50 characters of [A-Za-z0-9] and is stored only as its hash", "[codes]") {
  Fixture f;
  const std::string code = f.Issue();
  CHECK(std::regex_match(code, std::regex("[A-Za-z0-9]{50}")));
  CHECK(f.Issue() != code);
  // The store knows the hash, not the code.
  CHECK_FALSE(f.store->FindUnusedCode(code, f.clock.Now()).ok());
  auto rec = f.store->FindUnusedCode(HashSecret(code), f.clock.Now());
  REQUIRE(rec.ok());
  CHECK(rec->challenge == kChallenge);
  CHECK(rec->method == "S256");
  CHECK(rec->expires_at == f.clock.Now() + 60);
}

TEST_CASE("a code checks out with its verifier until it is spent", "[codes]") {
  // Redeem checks; the exchange spends the code with its grant afterwards
  // (Store::RedeemCode, tested in store_grants_test.cpp).
  Fixture f;
  const std::string code = f.Issue();
  auto r = f.codes->Redeem({code, "client", kVerifier, ""});
  REQUIRE(r.ok());
  CHECK(r->user_id == "user");
  CHECK(r->hash == HashSecret(code));
  REQUIRE(f.store->SpendCode(r->hash, f.clock.Now()).ok());
  auto again = f.codes->Redeem({code, "client", kVerifier, ""});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().Is(ErrorCode::kInvalidGrant));
  CHECK(again.error().description.find("already used") != std::string::npos);
}

TEST_CASE("a code expires after the TTL, 60 s by default", "[codes]") {
  Fixture f;
  const std::string early = f.Issue();
  const std::string late = f.Issue();
  f.clock.Advance(59);
  CHECK(f.codes->Redeem({early, "client", kVerifier, ""}).ok());
  f.clock.Advance(1);
  auto r = f.codes->Redeem({late, "client", kVerifier, ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Is(ErrorCode::kInvalidGrant));
  CHECK(r.error().description.find("expired") != std::string::npos);
}

TEST_CASE("the TTL is the one the service was built with", "[codes]") {
  Fixture f(5);
  const std::string code = f.Issue();
  f.clock.Advance(5);
  CHECK_FALSE(f.codes->Redeem({code, "client", kVerifier, ""}).ok());
}

TEST_CASE("a wrong client or verifier fails and spends the code", "[codes]") {
  Fixture f;
  SECTION("another client") {
    const std::string code = f.Issue();
    auto r = f.codes->Redeem({code, "other", kVerifier, ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Is(ErrorCode::kInvalidGrant));
    CHECK_FALSE(f.codes->Redeem({code, "client", kVerifier, ""}).ok());
  }
  SECTION("another verifier") {
    const std::string code = f.Issue();
    auto r = f.codes->Redeem({code, "client", std::string(43, 'x'), ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Is(ErrorCode::kInvalidGrant));
    // A verifier cannot be guessed twice against the same code.
    CHECK_FALSE(f.codes->Redeem({code, "client", kVerifier, ""}).ok());
  }
}

TEST_CASE("a malformed verifier or a missing code is invalid_request and spends nothing", "[codes]") {
  Fixture f;
  const std::string code = f.Issue();
  auto bad = f.codes->Redeem({code, "client", "too-short", ""});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().Is(ErrorCode::kInvalidRequest));
  CHECK(bad.error().field == "code_verifier");
  CHECK(f.codes->Redeem({"", "client", kVerifier, ""}).error().field == "code");
  CHECK(f.codes->Redeem({code, "client", kVerifier, ""}).ok());
}

TEST_CASE("a code bound to a redirect URI needs the same URI", "[codes]") {
  Fixture f;
  SECTION("same") {
    CHECK(f.codes->Redeem({f.Issue("https://app.example/cb"), "client", kVerifier, "https://app.example/cb"}).ok());
  }
  SECTION("different or missing") {
    auto uri = GENERATE(as<std::string>{}, "", "https://app.example/cb/", "https://evil.example/cb");
    auto r = f.codes->Redeem({f.Issue("https://app.example/cb"), "client", kVerifier, uri});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Is(ErrorCode::kInvalidGrant));
  }
}

TEST_CASE("the ATM rule takes any printable verifier for SHA256 and SHA512 codes, as ATM does", "[codes][pkce]") {
  // The seed's own recipe uses the verifier "123456789".
  Fixture f;
  const std::string verifier = "123456789";
  auto method = GENERATE(PkceMethod::kSha256Hex, PkceMethod::kSha512Hex);
  CAPTURE(PkceMethodName(method));
  const std::string challenge = ComputeChallenge(method, verifier);
  SECTION("with the ATM rule it redeems, and a wrong short verifier is a failed guess") {
    CHECK(f.codes->Redeem({f.Issue("", method, challenge), "client", verifier, "", true}).ok());
    const std::string code = f.Issue("", method, challenge);
    auto wrong = f.codes->Redeem({code, "client", "123456780", "", true});
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().Is(ErrorCode::kInvalidGrant));
    CHECK_FALSE(f.codes->Redeem({code, "client", verifier, "", true}).ok());  // spent
  }
  SECTION("without it (the standard /token, or pkce.strict_verifiers) RFC 7636 §4.1 applies") {
    const std::string code = f.Issue("", method, challenge);
    auto r = f.codes->Redeem({code, "client", verifier, "", false});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Is(ErrorCode::kInvalidRequest));
    CHECK(r.error().field == "code_verifier");
  }
  SECTION("an empty or non-printable verifier is invalid_request even with the ATM rule") {
    const std::string code = f.Issue("", method, challenge);
    for (std::string bad : {std::string(), std::string("1234\n5678"), std::string("caf\xc3\xa9")}) {
      auto r = f.codes->Redeem({code, "client", bad, "", true});
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().Is(ErrorCode::kInvalidRequest));
    }
    CHECK(f.codes->Redeem({code, "client", verifier, "", true}).ok());  // nothing was spent
  }
}

TEST_CASE("the ATM rule does not loosen S256 codes: their verifier follows RFC 7636 §4.1", "[codes][pkce]") {
  Fixture f;
  const std::string short_verifier = "123456789";
  const std::string code = f.Issue("", PkceMethod::kS256, ComputeChallenge(PkceMethod::kS256, short_verifier));
  auto r = f.codes->Redeem({code, "client", short_verifier, "", true});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Is(ErrorCode::kInvalidRequest));
  CHECK(r.error().field == "code_verifier");
}

}  // namespace atm
