#include "admin/audit_api.h"

#include "admin/applications_api.h"
#include "admin/auth.h"
#include "admin/json_body.h"
#include "admin/views.h"
#include "http/responses.h"
#include "oauth/params.h"

namespace atm {
namespace {

constexpr size_t kMaxFilterLength = 200;

}  // namespace

HttpResponse HandleAudit(const HttpRequest& request, const std::vector<std::string>& segments, const AdminDeps& d) {
  if (segments.size() != 1) return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
  if (request.method != "GET" && request.method != "HEAD") return MethodNotAllowed(request, "GET");
  auto query = ParseQuery(request);
  if (!query) return AdminError(query.error());
  auto page = ParsePage(query->Get("offset"), query->Get("limit"));
  if (!page) return AdminError(page.error());
  AuditFilter filter;
  for (auto [name, field] : {std::pair{"kind", &filter.kind}, std::pair{"outcome", &filter.outcome},
                             std::pair{"client_id", &filter.client_id}, std::pair{"actor", &filter.actor},
                             std::pair{"subject", &filter.subject}}) {
    *field = query->Get(name);
    if (field->size() > kMaxFilterLength) {
      return AdminError(InvalidRequest(
          std::string(name) + " must be at most " + std::to_string(kMaxFilterLength) + " characters", name));
    }
  }
  const int64_t now = d.clock.Now();
  for (auto [name, bound] : {std::pair{"since", &filter.since}, std::pair{"until", &filter.until}}) {
    std::string text = query->Get(name);
    if (text.empty()) continue;
    auto parsed = ParseTimeBound(text, now, name);
    if (!parsed) return AdminError(parsed.error());
    *bound = *parsed;
  }
  auto total = d.audit.Count(filter);
  if (!total) return AdminError(total.error());
  auto events = d.audit.List(filter, *page);
  if (!events) return AdminError(events.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : *events) items.push_back(AuditEventView(e));
  return JsonResponse(200, ListView(std::move(items), *total, *page));
}

}  // namespace atm
