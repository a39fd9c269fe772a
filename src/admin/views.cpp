#include "admin/views.h"

#include "domain/audit.h"

namespace atm {

nlohmann::json AuditEventView(const AuditEvent& e) {
  nlohmann::json detail = nullptr;
  if (!e.detail.empty()) detail = nlohmann::json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = e.detail;  // not JSON: shown as text
  return {{"id", e.id},           {"at", e.at},           {"time", FormatUtc(e.at)},  {"kind", e.kind},
          {"actor", e.actor},     {"outcome", e.outcome}, {"client_id", e.client_id}, {"subject", e.subject},
          {"address", e.address}, {"detail", detail}};
}

nlohmann::json ApplicationView(const ClientRecord& c, int64_t user_count) {
  return {
      {"client_id", c.id},
      {"name", c.name},
      {"type", c.is_public ? "public" : "confidential"},
      {"authenticator_type", kAuthenticatorType},
      {"redirect_url", c.redirect_urls.empty() ? "" : c.redirect_urls.front()},
      {"redirect_urls", c.redirect_urls},
      {"web_origins", c.web_origins},
      {"post_logout_redirect_urls", c.post_logout_redirect_urls},
      {"device_grant", c.device_grant},
      {"disabled", c.disabled},
      {"user_count", user_count},
      {"created_at", c.created_at},
      {"updated_at", c.updated_at},
  };
}

nlohmann::json UserView(const UserRecord& u) {
  return {
      {"id", u.id},
      {"client_id", u.client_id},
      {"email", u.email},
      {"first_name", u.first_name},
      {"last_name", u.last_name},
      {"disabled", u.disabled},
      {"created_at", u.created_at},
      {"updated_at", u.updated_at},
  };
}

nlohmann::json AdminView(const AdminRecord& a) {
  return {{"admin_id", a.id}, {"username", a.username}, {"created_at", a.created_at}, {"updated_at", a.updated_at}};
}

nlohmann::json ListView(nlohmann::json items, int64_t total, const Page& page) {
  return {{"items", std::move(items)}, {"total", total}, {"offset", page.offset}, {"limit", page.limit}};
}

}  // namespace atm
