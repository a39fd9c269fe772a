#include "testing/failures.h"

#include <algorithm>
#include <cctype>

namespace atm {

Result<int64_t> FailureQueue::Add(PlannedFailure f) {
  if (f.path.empty() || f.path[0] != '/') return InvalidRequest("path must be a request path such as /token", "path");
  if (f.path.rfind("/_testing", 0) == 0) return InvalidRequest("the control API itself cannot fail", "path");
  if (f.remaining < 1 || f.remaining > 1000000) return InvalidRequest("count must be 1 to 1000000", "count");
  if (f.delay_ms < 0 || f.delay_ms > 60000) return InvalidRequest("delay_ms must be 0 to 60000", "delay_ms");
  if (f.status != 0 && (f.status < 400 || f.status > 599)) return InvalidRequest("status must be 400 to 599", "status");
  const bool code_ok = std::all_of(f.error.begin(), f.error.end(),
                                   [](char c) { return std::islower(static_cast<unsigned char>(c)) || c == '_'; });
  if (!code_ok || f.error.size() > 64) return InvalidRequest("error must be an OAuth error code (a-z and _)", "error");
  if (f.error.empty() && f.status == 0 && f.delay_ms == 0) {
    return InvalidRequest("give error, status or delay_ms", "error");
  }
  // The status and the error name each default from the other, by the error table.
  if (!f.error.empty() && f.status == 0) {
    f.status = 400;
    for (const auto& row : kErrorTable) {
      if (row.wire_name == f.error) {
        f.status = row.status;
        break;
      }
    }
  }
  if (f.error.empty() && f.status != 0) {
    f.error = f.status == 503 ? "temporarily_unavailable" : f.status >= 500 ? "server_error" : "invalid_request";
  }
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t id = next_id_++;
  entries_.push_back({id, std::move(f)});
  return id;
}

std::optional<PlannedFailure> FailureQueue::Take(const std::string& path, const std::string& client_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const PlannedFailure& f = it->failure;
    if (f.path != path || (!f.client_id.empty() && f.client_id != client_id)) continue;
    PlannedFailure out = f;
    if (--it->failure.remaining == 0) entries_.erase(it);
    return out;
  }
  return std::nullopt;
}

nlohmann::json FailureQueue::Pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, f] : entries_) {
    nlohmann::json j = {{"id", id}, {"path", f.path}, {"count", f.remaining}};
    if (!f.client_id.empty()) j["client_id"] = f.client_id;
    if (!f.error.empty()) j["error"] = f.error;
    if (!f.error_description.empty()) j["error_description"] = f.error_description;
    if (f.status != 0) j["status"] = f.status;
    if (f.delay_ms != 0) j["delay_ms"] = f.delay_ms;
    out.push_back(std::move(j));
  }
  return out;
}

void FailureQueue::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

bool FailureQueue::Empty() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.empty();
}

}  // namespace atm
