#include "testing/mint.h"

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "domain/ids.h"

namespace atm {
namespace {

const std::set<std::string> kFields = {"client_id", "user", "sub", "scope", "claims",     "aud",
                                       "iss",       "iat",  "nbf", "exp",   "expires_in", "broken"};
constexpr const char* kWrongIssuer = "https://wrong-issuer.invalid";

std::string Compact(const nlohmann::json& header, const nlohmann::json& payload, const std::string& signature) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump()) + "." + Base64UrlEncode(signature);
}

// The times and parties the body sets, applied to one token's claims.
struct MintOverrides {
  std::optional<nlohmann::json> claims, aud;
  std::optional<std::string> iss;
  std::optional<int64_t> iat, nbf, exp, expires_in;
};

void Apply(const MintOverrides& o, int64_t now, int64_t default_ttl, nlohmann::json& token) {
  const int64_t iat = o.iat.value_or(token.value("iat", now));
  token["iat"] = iat;
  if (o.exp) {
    token["exp"] = *o.exp;
  } else if (o.expires_in) {
    token["exp"] = iat + *o.expires_in;
  } else if (o.iat) {
    token["exp"] = iat + default_ttl;
  }
  if (o.nbf) token["nbf"] = *o.nbf;
  if (o.aud) token["aud"] = *o.aud;
  if (o.iss) token["iss"] = *o.iss;
  if (o.claims) token.update(*o.claims);
}

}  // namespace

Result<std::shared_ptr<const SigningKey>> TokenMinter::StrayKey(JwsAlg alg) {
  std::lock_guard<std::mutex> lock(stray_mutex_);
  if (!stray_key_ || stray_key_->alg() != alg) {
    auto key = SigningKey::Generate(alg);
    if (!key) return key.error();
    stray_key_ = std::move(*key);
  }
  return stray_key_;
}

Result<nlohmann::json> TokenMinter::Mint(const JsonBody& body) {
  auto client_id = body.String("client_id");
  auto user_ref = body.String("user");
  auto sub = body.String("sub");
  auto scope_in = body.String("scope");
  auto iss = body.String("iss");
  auto broken = body.String("broken");
  if (auto e = FirstError(client_id, user_ref, sub, scope_in, iss, broken)) return *e;
  MintOverrides o;
  o.iss = *iss;
  constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31
  for (auto [name, out] :
       {std::pair<const char*, std::optional<int64_t>*>{"iat", &o.iat}, {"nbf", &o.nbf}, {"exp", &o.exp}}) {
    auto v = body.Integer(name, 0, kMaxTime);
    if (!v) return v.error();
    *out = *v;
  }
  auto expires_in = body.Integer("expires_in", -kMaxTime, kMaxTime);
  if (!expires_in) return expires_in.error();
  o.expires_in = *expires_in;
  auto claims = body.Object("claims");
  if (!claims) return claims.error();
  o.claims = *claims;
  if (auto aud = body.Raw("aud")) {
    bool ok = aud->is_string() || (aud->is_array() && !aud->empty());
    for (const auto& a : aud->is_array() ? *aud : nlohmann::json::array()) ok = ok && a.is_string();
    if (!ok) return InvalidRequest("aud must be a string or an array of strings", "aud");
    o.aud = *aud;
  }
  const std::string kind = broken->value_or("");
  const std::set<std::string> kBroken = {"",        "unknown_kid", "wrong_alg", "none_alg", "bad_signature",
                                         "expired", "wrong_issuer"};
  if (!kBroken.count(kind)) {
    return InvalidRequest(
        "broken must be one of unknown_kid, wrong_alg, none_alg, bad_signature, expired, wrong_issuer", "broken");
  }
  if (user_ref->has_value() == sub->has_value()) return InvalidRequest("give one of user or sub", "user");

  const int64_t now = deps_.clock.Now();
  const TokenOptions& ttl = deps_.tokens.options();
  nlohmann::json access, id;
  std::string refresh, scope;
  if (*user_ref) {
    // A real sign-in, without the page: a code issued and redeemed.
    auto user = deps_.users.Get(**user_ref);
    if (!user && *client_id) user = deps_.users.FindByEmail(**client_id, **user_ref);
    if (!user) {
      return InvalidRequest("user " + **user_ref + " is neither a user id nor the email of a user of client_id",
                            "user");
    }
    if (*client_id && **client_id != user->client_id) {
      return InvalidRequest("the user belongs to another application than client_id", "client_id");
    }
    auto client = deps_.clients.Get(user->client_id);
    if (!client) return client.error();
    scope = scope_in->value_or("openid profile email");
    const std::string verifier = RandomString(43, kUrlSafe);
    CodeRequest request;
    request.client_id = client->id;
    request.user_id = user->id;
    request.challenge = ComputeChallenge(PkceMethod::kS256, verifier);
    request.scope = scope;
    request.auth_time = now;
    auto code = deps_.codes.Issue(request);
    if (!code) return code.error();
    auto record = deps_.codes.Redeem({*code, client->id, verifier, "", false});
    if (!record) return record.error();
    auto tokens = deps_.tokens.IssueForCode(*record, *client, deps_.issuer);
    if (!tokens) return tokens.error();
    const bool as_issued = !o.claims && !o.aud && !o.iss && !o.iat && !o.nbf && !o.exp && !o.expires_in && kind.empty();
    if (as_issued) {  // nothing to change: the tokens as /token gives them, not signed again
      nlohmann::json out = {{"access_token", tokens->access_token},
                            {"token_type", "Bearer"},
                            {"refresh_token", tokens->refresh_token},
                            {"expires_in", tokens->expires_in},
                            {"scope", scope}};
      if (!tokens->id_token.empty()) out["id_token"] = tokens->id_token;
      return out;
    }
    refresh = tokens->refresh_token;
    access = DecodeJwtUnverified(tokens->access_token)->payload;
    if (!tokens->id_token.empty()) id = DecodeJwtUnverified(tokens->id_token)->payload;
  } else {
    std::string aud = client_id->value_or("");
    if (aud.empty() && !o.aud) return InvalidRequest("a token for sub needs client_id or aud", "client_id");
    scope = scope_in->value_or("openid");
    access = {{"iss", deps_.issuer}, {"sub", **sub}, {"aud", aud}, {"iat", now}, {"exp", now + ttl.access_token_ttl},
              {"jti", NewTokenId()}};
    if (!aud.empty()) access["client_id"] = aud;
    if (!scope.empty()) access["scope"] = scope;
    id = {{"iss", deps_.issuer},           {"sub", **sub},    {"aud", aud}, {"iat", now},
          {"exp", now + ttl.id_token_ttl}, {"auth_time", now}};
  }
  if (kind == "expired") {
    o.exp = now - 60;
    o.iat = now - 60 - ttl.access_token_ttl;
  }
  if (kind == "wrong_issuer") o.iss = kWrongIssuer;
  Apply(o, now, ttl.access_token_ttl, access);

  auto key = deps_.keys.Current();
  if (!key) return key.error();
  std::shared_ptr<const SigningKey> signer = *key;
  if (kind == "unknown_kid") {
    auto stray = StrayKey((*key)->alg());
    if (!stray) return stray.error();
    signer = *stray;
  }
  // Signs one token, broken as asked.
  auto sign = [&](const nlohmann::json& payload) -> Result<std::string> {
    nlohmann::json header = {{"alg", JwsAlgName(signer->alg())}, {"typ", "JWT"}, {"kid", signer->kid()}};
    if (kind == "none_alg") return Compact({{"alg", "none"}, {"typ", "JWT"}, {"kid", signer->kid()}}, payload, "");
    if (kind == "wrong_alg") {
      // The old confusion attack: HS256 keyed with the published public key.
      header["alg"] = "HS256";
      const std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
      return input + "." + Base64UrlEncode(HmacSha256(signer->PublicJwk().dump(), input));
    }
    auto jwt = SignJwt(*signer, payload);
    if (!jwt || kind != "bad_signature") return jwt;
    // One bit of the signature flipped.
    const size_t dot = jwt->rfind('.');
    std::string signature = Base64UrlDecode(std::string_view(*jwt).substr(dot + 1)).value_or("");
    if (!signature.empty()) signature[signature.size() / 2] ^= 0x01;
    return jwt->substr(0, dot + 1) + Base64UrlEncode(signature);
  };
  auto access_token = sign(access);
  if (!access_token) return access_token.error();
  nlohmann::json out = {{"access_token", *access_token}, {"token_type", "Bearer"}};
  if (!id.is_null()) {
    if (id.contains("at_hash")) id["at_hash"] = AtHash(*access_token, signer->alg());
    Apply(o, now, ttl.id_token_ttl, id);
    auto id_token = sign(id);
    if (!id_token) return id_token.error();
    out["id_token"] = *id_token;
  }
  if (!refresh.empty()) out["refresh_token"] = refresh;
  out["expires_in"] = std::max<int64_t>(0, access.value("exp", now) - now);
  if (!scope.empty()) out["scope"] = scope;
  return out;
}

}  // namespace atm
