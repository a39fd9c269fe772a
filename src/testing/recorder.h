// The record of recent sign-ins and token requests (README "Testing against
// atm"), so that a test can assert on what its application did: a bounded
// list, oldest first, readable and clearable. Passwords, codes and tokens are
// never recorded.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "http/http.h"
#include "testing/request_info.h"

namespace atm {

class Recorder {
 public:
  static constexpr size_t kCapacity = 1000;

  // Whether `request` is one that is recorded: a sign-in (POST /auth) or a
  // token request (POST /token, POST /auth/token).
  static bool Records(const HttpRequest& request);
  void Add(int64_t at, const HttpRequest& request, const RequestInfo& info, const HttpResponse& response);
  // The records, oldest first; `kind` ("login", "token") and `client_id`
  // filter when not empty.
  nlohmann::json List(const std::string& kind, const std::string& client_id) const;
  void Clear();

 private:
  mutable std::mutex mutex_;
  std::deque<nlohmann::json> records_;
};

}  // namespace atm
