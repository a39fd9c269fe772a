#include "admin/routes.h"

#include "admin/applications_api.h"
#include "admin/audit_api.h"
#include "admin/auth.h"
#include "admin/console.h"
#include "http/responses.h"

namespace atm {
namespace {

constexpr std::string_view kApiPrefix = "/admin/api/";

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

}  // namespace

HttpResponse HandleAdminApi(const HttpRequest& request, const AdminDeps& deps) {
  std::string_view rest = std::string_view(request.path).substr(kApiPrefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::vector<std::string> segments = Segments(rest);
  for (const auto& s : segments) {
    if (s.empty()) return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
  }
  if (segments.size() == 1 && segments[0] == "session") return HandleSession(request, deps);
  if (segments.size() == 1 && segments[0] == "tokens") return HandleTokens(request, deps);
  if (segments[0] != "applications" && segments[0] != "audit")
    return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
  auto caller = AuthenticateAdmin(request, deps.admins);
  if (!caller) return AdminError(caller.error());
  if (segments[0] == "audit") return HandleAudit(request, segments, deps);
  return HandleApplications(request, segments, deps,
                            Actor{"admin:" + caller->identity.admin.username, request.remote_addr});
}

void RegisterAdminRoutes(Router& router, const AdminDeps& deps) {
  router.Add("GET", "/admin", ConsolePage);
  router.Add("GET", "/admin/", ConsolePage);
  for (const char* asset : {"/assets/admin.css", "/assets/admin.js", "/assets/admin-apps.js", "/assets/admin-users.js",
                            "/assets/admin-audit.js"}) {
    router.Add("GET", asset, ConsoleAsset);
  }
  router.AddPrefix(std::string(kApiPrefix),
                   [&deps](const HttpRequest& request) { return HandleAdminApi(request, deps); });
}

}  // namespace atm
