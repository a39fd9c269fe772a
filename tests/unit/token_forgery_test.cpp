// Forged and altered access tokens against TokenService::VerifyAccessToken,
// the check behind /userinfo and /introspect (RFC 8725 §2.1, §3.1: the
// algorithm is the key's, "none" and HS256-with-the-public-key never verify).
#include <openssl/bio.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "crypto/jwt.h"
#include "support/security_fixture.h"

using atm::Base64UrlEncode;
using atm::testing::NewPkce;
using atm::testing::SecurityFixture;
using nlohmann::json;

namespace {

// The PEM of the public half of the test key: what an attacker takes from the
// JWKS to use as an HMAC secret.
std::string PublicKeyPem() {
  const std::string& priv = atm::testing::SharedKeyPem();
  BIO* in = BIO_new_mem_buf(priv.data(), static_cast<int>(priv.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(out, key);
  char* data = nullptr;
  long len = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(out);
  EVP_PKEY_free(key);
  BIO_free(in);
  return pem;
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

struct Parts {
  json header;
  json payload;
  std::string signature;  // base64url
};

Parts Split(const std::string& jwt) {
  auto decoded = atm::DecodeJwtUnverified(jwt);
  return {decoded->header, decoded->payload, jwt.substr(jwt.rfind('.') + 1)};
}

std::string Input(const json& header, const json& payload) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
}

}  // namespace

TEST_CASE("forged access tokens are refused by VerifyAccessToken", "[bcp][jwt]") {
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  json t = SecurityFixture::Json(f.Exchange(app, f.LoginCode(app, user, pkce), pkce.verifier));
  const std::string genuine = t["access_token"];
  REQUIRE(f.AccessTokenValid(genuine));
  const Parts p = Split(genuine);
  json elevated = p.payload;
  elevated["scope"]["email"] = "admin@example.com";
  elevated["exp"] = p.payload["exp"].get<int64_t>() + 86400;

  std::vector<std::pair<std::string, std::string>> forgeries;
  {
    json h = {{"alg", "none"}, {"typ", "JWT"}, {"kid", p.header["kid"]}};
    forgeries.push_back({"alg none, empty signature", Input(h, elevated) + "."});
    forgeries.push_back({"alg none, original signature", Input(h, p.payload) + "." + p.signature});
    json h2 = {{"alg", "none"}, {"typ", "JWT"}};
    forgeries.push_back({"alg none without kid", Input(h2, elevated) + "."});
    json h3 = {{"alg", "NONE"}, {"kid", p.header["kid"]}};
    forgeries.push_back({"alg NONE", Input(h3, elevated) + "."});
  }
  {
    // HS256 "signed" with every public form of the RSA key as the secret.
    json h = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", p.header["kid"]}};
    std::string input = Input(h, elevated);
    json jwk = f.keys->Find(p.header["kid"])->PublicJwk();
    for (const std::string& secret : {PublicKeyPem(), jwk.dump(), jwk["n"].get<std::string>()}) {
      forgeries.push_back({"HS256 with the public key", input + "." + Base64UrlEncode(HmacSha256(secret, input))});
    }
  }
  {
    json h = p.header;
    forgeries.push_back({"payload changed, signature kept", Input(h, elevated) + "." + p.signature});
    h["kid"] = "some-other-kid";
    forgeries.push_back({"unknown kid", Input(h, p.payload) + "." + p.signature});
    json h2 = p.header;
    h2.erase("kid");
    forgeries.push_back({"no kid", Input(h2, p.payload) + "." + p.signature});
    json h3 = p.header;
    h3["alg"] = "RS512";
    forgeries.push_back({"alg changed to RS512", Input(h3, p.payload) + "." + p.signature});
    json h4 = p.header;
    h4["alg"] = "PS256";
    forgeries.push_back({"alg changed to PS256", Input(h4, p.payload) + "." + p.signature});
  }
  {
    // A valid RS256 signature by a key that is not published here.
    auto other = atm::SigningKey::Generate(atm::JwsAlg::kES256);
    auto signed_by_other = atm::SignJwt(**other, elevated);
    forgeries.push_back({"signed by an unknown key", *signed_by_other});
  }
  forgeries.push_back({"signature stripped", genuine.substr(0, genuine.rfind('.') + 1)});
  forgeries.push_back({"two parts", genuine.substr(0, genuine.rfind('.'))});
  forgeries.push_back({"four parts", genuine + ".x"});
  forgeries.push_back({"empty", ""});
  forgeries.push_back({"JWE-looking", "a.b.c.d.e"});

  for (const auto& [name, token] : forgeries) {
    INFO(name);
    auto verified = f.tokens->VerifyAccessToken(token, {f.config.tokens.issuer});
    REQUIRE_FALSE(verified.ok());
    CHECK(verified.error().Is(atm::ErrorCode::kInvalidToken));
    CHECK(verified.error().status() == 401);
  }
  CHECK(f.AccessTokenValid(genuine));
}

TEST_CASE("access tokens are refused once expired or when issued by another issuer", "[bcp][jwt]") {
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto pkce = NewPkce();
  json t = SecurityFixture::Json(f.Exchange(app, f.LoginCode(app, user, pkce), pkce.verifier));
  const std::string token = t["access_token"];
  CHECK_FALSE(f.tokens->VerifyAccessToken(token, {"https://other.example.com"}).ok());
  f.clock.Advance(f.tokens->options().access_token_ttl - 1);
  CHECK(f.AccessTokenValid(token));
  f.clock.Advance(1);
  CHECK_FALSE(f.AccessTokenValid(token));
}
