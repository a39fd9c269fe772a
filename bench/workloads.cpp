#include "workloads.h"

#include <openssl/sha.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http_client.h"

namespace atm::bench {
namespace {

std::string Base64Url(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    acc = (acc << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string TokenPost(int port, const nlohmann::json& body) {
  return FormatRequest("POST", "/auth/token", port, body.dump());
}

nlohmann::json ParseObject(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return json.is_object() ? json : nlohmann::json::object();
}

bool IsString(const nlohmann::json& j, const char* key) { return j.contains(key) && j[key].is_string(); }

}  // namespace

std::string S256Challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return Base64Url(digest, sizeof digest);
}

FixedGet::FixedGet(int port, const std::string& path, long count)
    : request_(FormatRequest("GET", path, port)), count_(count) {}
bool FixedGet::Next(int, std::string& request) {
  if (count_ >= 0 && issued_++ >= count_) return false;
  request = request_;
  return true;
}
bool FixedGet::Check(int, int status, std::string_view body) { return status == 200 && !body.empty(); }

ClientCredentials::ClientCredentials(int port, const Identity& id)
    : request_(TokenPost(
          port,
          {{"clientId", id.client_id}, {"clientSecret", id.client_secret}, {"grant_type", "client_credentials"}})) {}
bool ClientCredentials::Next(int, std::string& request) {
  request = request_;
  return true;
}
bool ClientCredentials::Check(int, int status, std::string_view body) {
  return status == 200 && body.find("\"access_token\"") != std::string_view::npos;
}

Login::Login(int port, const Identity& id, const std::string& email, const std::string& password, long count)
    : request_(FormatRequest("POST", "/auth", port,
                             nlohmann::json{{"loginId", email},
                                            {"password", password},
                                            {"clientId", id.client_id},
                                            {"code_challenge", S256Challenge(id.verifier)},
                                            {"code_challenge_method", "S256"}}
                                 .dump())),
      count_(count) {}

bool Login::Next(int, std::string& request) {
  if (count_ >= 0 && issued_++ >= count_) return false;
  request = request_;
  return true;
}

bool Login::Check(int, int status, std::string_view body) {
  if (status != 200) return false;
  auto json = ParseObject(body);
  if (!IsString(json, "code")) return false;
  if (count_ >= 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    codes_.push_back(json["code"].get<std::string>());
  }
  return true;
}

std::vector<std::string> Login::TakeCodes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::move(codes_);
}

CodeExchange::CodeExchange(int port, const Identity& id, std::vector<std::string> codes)
    : port_(port), id_(id), codes_(std::move(codes)) {}

bool CodeExchange::Next(int, std::string& request) {
  size_t i = next_++;
  if (i >= codes_.size()) return false;
  request = TokenPost(port_, {{"clientId", id_.client_id},
                              {"clientSecret", id_.client_secret},
                              {"grant_types", "authorization_code"},
                              {"code", codes_[i]},
                              {"code_verifier", id_.verifier}});
  return true;
}

bool CodeExchange::Check(int, int status, std::string_view body) {
  return status == 200 && body.find("\"id_token\"") != std::string_view::npos &&
         body.find("\"refresh_token\"") != std::string_view::npos;
}

RefreshChains::RefreshChains(int port, const Identity& id, std::vector<Chain> chains)
    : port_(port), id_(id), chains_(std::move(chains)) {}

bool RefreshChains::Next(int conn, std::string& request) {
  const Chain& c = chains_.at(static_cast<size_t>(conn));
  request = TokenPost(port_, {{"clientId", id_.client_id},
                              {"refresh_token", c.refresh_token},
                              {"id_token", c.id_token},
                              {"grantType", "refresh_token"}});
  return true;
}

bool RefreshChains::Check(int conn, int status, std::string_view body) {
  if (status != 200) return false;
  auto json = ParseObject(body);
  if (!IsString(json, "refresh_token") || !IsString(json, "id_token") || !IsString(json, "access_token")) {
    return false;
  }
  Chain& c = chains_[static_cast<size_t>(conn)];
  c.refresh_token = json["refresh_token"].get<std::string>();
  c.id_token = json["id_token"].get<std::string>();
  return true;
}

std::vector<std::string> MintCodes(int port, const Identity& id, long count, int client_threads) {
  Login mint(port, id, id.mint_email, id.mint_password, count);
  auto r = RunLoad({{port}, 16, client_threads, 600}, mint);
  auto codes = mint.TakeCodes();
  if (static_cast<long>(codes.size()) < count) {
    throw std::runtime_error("minting codes failed (" + std::to_string(codes.size()) + " of " + std::to_string(count) +
                             "): " + r.first_error);
  }
  return codes;
}

std::vector<RefreshChains::Chain> StartChains(int port, const Identity& id, int n, int client_threads) {
  std::vector<RefreshChains::Chain> chains;
  for (const auto& code : MintCodes(port, id, n, client_threads)) {
    nlohmann::json body = {{"clientId", id.client_id},
                           {"clientSecret", id.client_secret},
                           {"grant_types", "authorization_code"},
                           {"code", code},
                           {"code_verifier", id.verifier}};
    auto r = Fetch(port, "POST", "/auth/token", body.dump());
    auto j = r ? ParseObject(r->body) : nlohmann::json::object();
    if (!r || r->status != 200 || !IsString(j, "refresh_token") || !IsString(j, "id_token")) {
      throw std::runtime_error("the exchange that starts a refresh chain failed");
    }
    chains.push_back({j["refresh_token"].get<std::string>(), j["id_token"].get<std::string>()});
  }
  return chains;
}

}  // namespace atm::bench
