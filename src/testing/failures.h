// Queued failures (README "Testing against atm"): the next N requests to a
// path, optionally only those of one client, answer an OAuth error, or wait
// first, then the path behaves normally again.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"

namespace atm {

struct PlannedFailure {
  std::string path;       // exact request path, e.g. "/token"
  std::string client_id;  // only this client's requests; empty for any
  int64_t remaining = 1;  // requests still to fail
  std::string error;      // the OAuth error code; empty: no error (a delay only)
  std::string error_description;
  int status = 0;        // 0: the error table's status for `error` (else 400)
  int64_t delay_ms = 0;  // waited before answering
};

class FailureQueue {
 public:
  // Checks and queues one, returning its id (they are used in that order).
  Result<int64_t> Add(PlannedFailure failure);
  // The failure for this request, consuming one use of it; nullopt for none.
  std::optional<PlannedFailure> Take(const std::string& path, const std::string& client_id);
  nlohmann::json Pending() const;
  void Clear();
  // Whether any failure is queued (a cheap check before looking at the request).
  bool Empty() const;

 private:
  struct Entry {
    int64_t id;
    PlannedFailure failure;
  };
  mutable std::mutex mutex_;
  std::list<Entry> entries_;
  int64_t next_id_ = 1;
};

}  // namespace atm
