// The requests each scenario sends, against the application and users that
// bench/bench.toml seeds (the identity below must match that file).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "load.h"

namespace atm::bench {

struct Identity {
  std::string client_id = "BenchApp000000000001";
  std::string client_secret = "BenchSecret00000000000000000001x";
  // Seeded with a cost-4 scrypt hash: minting codes for the exchange runs is
  // setup, not the thing measured.
  std::string mint_email = "mint@bench.test";
  std::string mint_password = "mint-password-1";
  // Seeded with a hash at the configured cost ([passwords] scrypt_log_n).
  std::string login_email = "login@bench.test";
  std::string login_password = "login-password-1";
  // PKCE (RFC 7636 §4.2, S256); every code shares this verifier.
  std::string verifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
};

std::string S256Challenge(const std::string& verifier);

// GET of a fixed path; 200 expected. With `count` >= 0, that many requests
// in all (a latency sample of a fixed size); otherwise it asks forever.
class FixedGet : public Workload {
 public:
  FixedGet(int port, const std::string& path, long count = -1);
  bool Next(int, std::string& request) override;
  bool Check(int, int status, std::string_view body) override;

 private:
  std::string request_;
  long count_;
  std::atomic<long> issued_{0};
};

// POST /auth/token client_credentials.
class ClientCredentials : public Workload {
 public:
  ClientCredentials(int port, const Identity& id);
  bool Next(int, std::string& request) override;
  bool Check(int, int status, std::string_view body) override;

 private:
  std::string request_;
};

// POST /auth (the ATM login): a code per answer. With `keep`, the codes are
// collected (up to `count` requests in all); otherwise it logs in forever.
class Login : public Workload {
 public:
  Login(int port, const Identity& id, const std::string& email, const std::string& password, long count = -1);
  bool Next(int, std::string& request) override;
  bool Check(int, int status, std::string_view body) override;
  std::vector<std::string> TakeCodes();

 private:
  std::string request_;
  long count_;
  std::atomic<long> issued_{0};
  std::mutex mutex_;
  std::vector<std::string> codes_;
};

// POST /auth/token authorization_code, one minted code per request.
class CodeExchange : public Workload {
 public:
  CodeExchange(int port, const Identity& id, std::vector<std::string> codes);
  bool Next(int, std::string& request) override;
  bool Check(int, int status, std::string_view body) override;

 private:
  int port_;
  const Identity& id_;
  std::vector<std::string> codes_;
  std::atomic<size_t> next_{0};
};

// POST /auth/token refresh_token: each connection rotates its own chain,
// presenting the newest refresh token and ID token (the ATM request shape).
class RefreshChains : public Workload {
 public:
  struct Chain {
    std::string refresh_token;
    std::string id_token;
  };
  RefreshChains(int port, const Identity& id, std::vector<Chain> chains);
  bool Next(int conn, std::string& request) override;
  bool Check(int conn, int status, std::string_view body) override;

 private:
  int port_;
  const Identity& id_;
  std::vector<Chain> chains_;
};

// Setup: `count` codes minted by the mint user over 16 connections.
std::vector<std::string> MintCodes(int port, const Identity& id, long count, int client_threads);
// Setup: `n` refresh chains, each started by one code exchange.
std::vector<RefreshChains::Chain> StartChains(int port, const Identity& id, int n, int client_threads);

}  // namespace atm::bench
