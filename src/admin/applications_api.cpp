#include "admin/applications_api.h"

#include "admin/auth.h"
#include "admin/json_body.h"
#include "admin/users_api.h"
#include "admin/views.h"
#include "http/responses.h"
#include "oauth/params.h"

namespace atm {
namespace {

// redirect_urls (an array) or redirect_url (one string): the field named in
// errors is the one the caller sent.
Result<std::optional<std::vector<std::string>>> RedirectUrls(const JsonBody& body, std::string* field) {
  *field = body.Has("redirect_urls") ? "redirect_urls" : "redirect_url";
  if (body.Has("redirect_urls") && body.Has("redirect_url")) {
    return InvalidRequest("give redirect_url or redirect_urls, not both", "redirect_url");
  }
  return body.Strings(*field);
}

Error Renamed(Error e, const std::string& from, const std::string& to) {
  if (e.field == from) e.field = to;
  return e;
}

Result<nlohmann::json> View(const ClientRecord& c, UserService& users) {
  auto count = users.Count(c.id, "");
  if (!count) return count.error();
  return ApplicationView(c, *count);
}

HttpResponse List(const HttpRequest& request, const AdminDeps& d) {
  auto query = ParseQuery(request);
  if (!query) return AdminError(query.error());
  auto page = ParsePage(query->Get("offset"), query->Get("limit"));
  if (!page) return AdminError(page.error());
  auto total = d.clients.Count();
  if (!total) return AdminError(total.error());
  auto apps = d.clients.List(*page);
  if (!apps) return AdminError(apps.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& c : *apps) {
    auto v = View(c, d.users);
    if (!v) return AdminError(v.error());
    items.push_back(std::move(*v));
  }
  return JsonResponse(200, ListView(std::move(items), *total, *page));
}

HttpResponse Create(const HttpRequest& request, const AdminDeps& d, const Actor& by) {
  auto body = JsonBody::Parse(request, {"name", "type", "redirect_url", "redirect_urls", "client_id", "client_secret",
                                        "web_origins", "post_logout_redirect_urls", "device_grant"});
  if (!body) return AdminError(body.error());
  NewApplication app;
  auto name = body->String("name");
  if (!name) return AdminError(name.error());
  app.name = name->value_or("");
  auto type = body->String("type");
  if (!type) return AdminError(type.error());
  if (*type && **type != "public" && **type != "confidential") {
    return AdminError(InvalidRequest("type must be \"confidential\" or \"public\"", "type"));
  }
  app.is_public = *type && **type == "public";
  std::string url_field;
  auto urls = RedirectUrls(*body, &url_field);
  if (!urls) return AdminError(urls.error());
  app.redirect_urls = urls->value_or(std::vector<std::string>{});
  auto web_origins = body->Strings("web_origins");
  if (!web_origins) return AdminError(web_origins.error());
  app.web_origins = web_origins->value_or(std::vector<std::string>{});
  auto post_logout = body->Strings("post_logout_redirect_urls");
  if (!post_logout) return AdminError(post_logout.error());
  app.post_logout_redirect_urls = post_logout->value_or(std::vector<std::string>{});
  auto device_grant = body->Bool("device_grant");
  if (!device_grant) return AdminError(device_grant.error());
  app.device_grant = device_grant->value_or(false);
  auto client_id = body->String("client_id");
  if (!client_id) return AdminError(client_id.error());
  app.client_id = client_id->value_or("");
  auto client_secret = body->String("client_secret");
  if (!client_secret) return AdminError(client_secret.error());
  app.client_secret = client_secret->value_or("");
  auto created = d.clients.Create(app, by);
  if (!created) return AdminError(Renamed(created.error(), "redirect_url", url_field));
  nlohmann::json out = ApplicationView(created->record, 0);
  if (!created->client_secret.empty()) out["client_secret"] = created->client_secret;
  return JsonResponse(201, out).With("Location", "/admin/api/applications/" + created->record.id);
}

HttpResponse Update(const HttpRequest& request, const std::string& id, const AdminDeps& d, const Actor& by) {
  auto body = JsonBody::Parse(request, {"name", "redirect_url", "redirect_urls", "disabled", "type", "web_origins",
                                        "post_logout_redirect_urls", "device_grant"});
  if (!body) return AdminError(body.error());
  if (body->Has("type")) {
    return AdminError(InvalidRequest("type cannot change: create a new application instead", "type"));
  }
  ApplicationChanges changes;
  auto name = body->String("name");
  if (!name) return AdminError(name.error());
  changes.name = *name;
  std::string url_field;
  auto urls = RedirectUrls(*body, &url_field);
  if (!urls) return AdminError(urls.error());
  changes.redirect_urls = *urls;
  auto web_origins = body->Strings("web_origins");
  if (!web_origins) return AdminError(web_origins.error());
  changes.web_origins = *web_origins;
  auto post_logout = body->Strings("post_logout_redirect_urls");
  if (!post_logout) return AdminError(post_logout.error());
  changes.post_logout_redirect_urls = *post_logout;
  auto disabled = body->Bool("disabled");
  if (!disabled) return AdminError(disabled.error());
  changes.disabled = *disabled;
  auto device_grant = body->Bool("device_grant");
  if (!device_grant) return AdminError(device_grant.error());
  changes.device_grant = *device_grant;
  auto updated = d.clients.Update(id, changes, by);
  if (!updated) return AdminError(Renamed(updated.error(), "redirect_url", url_field));
  auto v = View(*updated, d.users);
  if (!v) return AdminError(v.error());
  return JsonResponse(200, *v);
}

HttpResponse One(const HttpRequest& request, const std::string& id, const AdminDeps& d, const Actor& by) {
  if (request.method == "GET" || request.method == "HEAD") {
    auto app = d.clients.Get(id);
    if (!app) return AdminError(app.error());
    auto v = View(*app, d.users);
    if (!v) return AdminError(v.error());
    return JsonResponse(200, *v);
  }
  if (request.method == "PATCH") return Update(request, id, d, by);
  if (request.method == "DELETE") {
    if (auto s = d.clients.Delete(id, by); !s) return AdminError(s.error());
    return NoContent();
  }
  return MethodNotAllowed(request, "GET, PATCH, DELETE");
}

HttpResponse RotateSecret(const HttpRequest& request, const std::string& id, const AdminDeps& d, const Actor& by) {
  if (request.method != "POST") return MethodNotAllowed(request, "POST");
  auto secret = d.clients.RotateSecret(id, by);
  if (!secret) return AdminError(secret.error());
  return JsonResponse(200, {{"client_id", id}, {"client_secret", *secret}});
}

}  // namespace

HttpResponse MethodNotAllowed(const HttpRequest& request, const std::string& allow) {
  return ErrorResponse(Error(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here; use " + allow))
      .With("Allow", allow);
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  r.With("Cache-Control", "no-store");
  return r;
}

HttpResponse HandleApplications(const HttpRequest& request, const std::vector<std::string>& segments,
                                const AdminDeps& deps, const Actor& by) {
  if (segments.size() == 1) {
    if (request.method == "GET" || request.method == "HEAD") return List(request, deps);
    if (request.method == "POST") return Create(request, deps, by);
    return MethodNotAllowed(request, "GET, POST");
  }
  const std::string& id = segments[1];
  if (segments.size() == 2) return One(request, id, deps, by);
  if (segments.size() == 3 && segments[2] == "secret") return RotateSecret(request, id, deps, by);
  if (segments[2] == "users") {
    return HandleUsers(request, id, std::vector<std::string>(segments.begin() + 3, segments.end()), deps, by);
  }
  return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
}

}  // namespace atm
