#include "testing/recorder.h"

namespace atm {

bool Recorder::Records(const HttpRequest& request) {
  return request.method == "POST" &&
         (request.path == "/auth" || request.path == "/token" || request.path == "/auth/token");
}

void Recorder::Add(int64_t at, const HttpRequest& request, const RequestInfo& info, const HttpResponse& response) {
  const bool login = request.path == "/auth";
  nlohmann::json r = {{"at", at},
                      {"kind", login ? "login" : "token"},
                      {"method", request.method},
                      {"path", request.path},
                      {"client_id", info.client_id},
                      {"status", response.status},
                      {"outcome", response.status < 400 ? "success" : "failure"}};
  if (login) {
    r["login"] = info.login;
  } else {
    r["grant_type"] = info.grant_type;
  }
  if (response.status >= 400) {
    auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_object()) {
      if (body.contains("error") && body["error"].is_string()) r["error"] = body["error"];
      if (body.contains("error_description") && body["error_description"].is_string()) {
        r["error_description"] = body["error_description"];
      }
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  records_.push_back(std::move(r));
  if (records_.size() > kCapacity) records_.pop_front();
}

nlohmann::json Recorder::List(const std::string& kind, const std::string& client_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records_) {
    if (!kind.empty() && r["kind"] != kind) continue;
    if (!client_id.empty() && r["client_id"] != client_id) continue;
    out.push_back(r);
  }
  return out;
}

void Recorder::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  records_.clear();
}

}  // namespace atm
