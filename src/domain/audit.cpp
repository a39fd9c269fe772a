#include "domain/audit.h"

#include <cctype>
#include <ctime>

namespace atm {
namespace {

// A login name as typed is kept (it is what an investigation looks for), cut
// to the length of an email address.
constexpr size_t kMaxAccountLength = 254;
// The throttled attempts remembered at once; past it, the oldest window is forgotten.
constexpr size_t kMaxThrottledKeys = 10000;

}  // namespace

Result<int64_t> ParseTimeBound(const std::string& text, int64_t now, const std::string& field) {
  auto bad = [&] {
    return InvalidRequest(field +
                              " must be seconds since the epoch, an age such as \"24h\" or \"7d\", or a UTC time "
                              "such as \"2026-12-06\" or \"2026-12-06T10:00:00Z\"",
                          field);
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return bad();
  const int64_t number = std::stoll(text.substr(0, digits));
  const std::string rest = text.substr(digits);
  if (rest.empty()) return number;
  if (rest.size() == 1 && digits <= 9) {
    const int64_t unit = rest == "s" ? 1 : rest == "m" ? 60 : rest == "h" ? 3600 : rest == "d" ? 86400 : 0;
    if (unit == 0) return bad();
    return now - number * unit;
  }
  // YYYY-MM-DD, optionally THH:MM:SSZ.
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char tail = 0;
  int n = 0;
  if (text.size() == 10) {
    n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail);
    if (n != 3) return bad();
  } else if (text.size() == 20) {
    n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour, &minute, &second, &tail);
    if (n != 7 || tail != 'Z') return bad();
  } else {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

std::string FormatUtc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string_view SignInOutcomeName(SignInOutcome outcome) {
  switch (outcome) {
    case SignInOutcome::kSuccess:
      return "success";
    case SignInOutcome::kBadCredentials:
      return "bad_credentials";
    case SignInOutcome::kThrottled:
      return "throttled";
    case SignInOutcome::kDisabled:
      return "disabled";
  }
  return "success";
}

AuditEvent NewAuditEvent(std::string kind, const Actor& by, int64_t now) {
  AuditEvent e;
  e.at = now;
  e.kind = std::move(kind);
  e.actor = by.name;
  e.address = by.address;
  e.outcome = "success";
  return e;
}

std::string ChangeDetail(const nlohmann::json& before, const nlohmann::json& after) {
  if (before.is_null() || after.is_null()) return nlohmann::json{{"before", before}, {"after", after}}.dump();
  nlohmann::json b = nlohmann::json::object(), a = nlohmann::json::object();
  for (auto it = after.begin(); it != after.end(); ++it) {
    auto old = before.find(it.key());
    if (old == before.end() || *old != it.value()) {
      b[it.key()] = old == before.end() ? nlohmann::json() : *old;
      a[it.key()] = it.value();
    }
  }
  return nlohmann::json{{"before", b}, {"after", a}}.dump();
}

AuditEvent AuditService::SignInEvent(SignInOutcome outcome, const std::string& client_id, const std::string& account,
                                     const std::string& address) const {
  AuditEvent e = NewAuditEvent(audit_kind::kSignIn, Actor{account.substr(0, kMaxAccountLength), address}, clock_.Now());
  e.outcome = std::string(SignInOutcomeName(outcome));
  e.client_id = client_id;
  return e;
}

bool AuditService::RecordThrottled(const std::string& key, int64_t now) {
  std::lock_guard<std::mutex> lock(throttled_mutex_);
  auto it = throttled_written_.find(key);
  if (it != throttled_written_.end() && now - it->second < kThrottledWindow) return false;
  if (throttled_written_.size() >= kMaxThrottledKeys) {
    std::erase_if(throttled_written_, [&](const auto& e) { return now - e.second >= kThrottledWindow; });
    if (throttled_written_.size() >= kMaxThrottledKeys) throttled_written_.clear();
  }
  throttled_written_[key] = now;
  return true;
}

Status AuditService::SignInFailed(SignInOutcome outcome, const std::string& client_id, const std::string& account,
                                  const std::string& address) {
  signins_[static_cast<size_t>(outcome)].Add();
  AuditEvent event = SignInEvent(outcome, client_id, account, address);
  if (outcome == SignInOutcome::kThrottled &&
      !RecordThrottled(client_id + '\n' + event.actor + '\n' + address, event.at)) {
    return Ok();
  }
  return store_.AppendAudit(event);
}

AuditEvent AuditService::SignInSucceeded(const std::string& client_id, const std::string& account,
                                         const std::string& user_id, const std::string& address) {
  signins_[static_cast<size_t>(SignInOutcome::kSuccess)].Add();
  AuditEvent e = SignInEvent(SignInOutcome::kSuccess, client_id, account, address);
  e.subject = user_id;
  return e;
}

Status AuditService::Record(const AuditEvent& event) { return store_.AppendAudit(event); }

Result<std::vector<AuditEvent>> AuditService::List(const AuditFilter& filter, const Page& page) {
  return store_.ListAudit(filter, page);
}

Result<int64_t> AuditService::Count(const AuditFilter& filter) { return store_.CountAudit(filter); }

Result<int64_t> AuditService::Prune() { return store_.PruneAudit(clock_.Now() - options_.retention); }

}  // namespace atm
