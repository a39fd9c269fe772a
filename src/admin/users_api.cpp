#include "admin/users_api.h"

#include "admin/applications_api.h"
#include "admin/auth.h"
#include "admin/json_body.h"
#include "admin/views.h"
#include "http/responses.h"
#include "oauth/params.h"

namespace atm {
namespace {

// The password and its optional confirmation (the console's "Confirm Password").
Result<std::string> NewPassword(const JsonBody& body) {
  auto password = body.String("password");
  if (!password) return password.error();
  auto confirm = body.String("confirm_password");
  if (!confirm) return confirm.error();
  if (*confirm && **confirm != password->value_or("")) {
    return InvalidRequest("the passwords do not match", "confirm_password");
  }
  return password->value_or("");
}

// The user `user_id` if it belongs to `client_id`.
Result<UserRecord> FindUser(const std::string& client_id, const std::string& user_id, UserService& users) {
  auto user = users.Get(user_id);
  if (!user || user->client_id == client_id) return user;
  return Error(ErrorCode::kNotFound, "no user with id " + user_id + " in this application", "user_id");
}

HttpResponse List(const HttpRequest& request, const std::string& client_id, const AdminDeps& d) {
  auto query = ParseQuery(request);
  if (!query) return AdminError(query.error());
  auto page = ParsePage(query->Get("offset"), query->Get("limit"));
  if (!page) return AdminError(page.error());
  std::string email = query->Get("email");
  auto total = d.users.Count(client_id, email);
  if (!total) return AdminError(total.error());
  auto users = d.users.List(client_id, email, *page);
  if (!users) return AdminError(users.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& u : *users) items.push_back(UserView(u));
  return JsonResponse(200, ListView(std::move(items), *total, *page));
}

HttpResponse Create(const HttpRequest& request, const std::string& client_id, const AdminDeps& d, const Actor& by) {
  auto body = JsonBody::Parse(request, {"email", "password", "confirm_password", "first_name", "last_name"});
  if (!body) return AdminError(body.error());
  NewUser user;
  user.client_id = client_id;
  for (auto [name, out] : {std::pair{"email", &user.email}, std::pair{"first_name", &user.first_name},
                           std::pair{"last_name", &user.last_name}}) {
    auto v = body->String(name);
    if (!v) return AdminError(v.error());
    *out = v->value_or("");
  }
  auto password = NewPassword(*body);
  if (!password) return AdminError(password.error());
  user.password = std::move(*password);
  auto created = d.users.Create(user, by);
  if (!created) return AdminError(created.error());
  return JsonResponse(201, UserView(*created))
      .With("Location", "/admin/api/applications/" + client_id + "/users/" + created->id);
}

HttpResponse Update(const HttpRequest& request, const UserRecord& user, const AdminDeps& d, const Actor& by) {
  auto body = JsonBody::Parse(request, {"email", "first_name", "last_name", "disabled"});
  if (!body) return AdminError(body.error());
  UserChanges changes;
  for (auto [name, out] : {std::pair{"email", &changes.email}, std::pair{"first_name", &changes.first_name},
                           std::pair{"last_name", &changes.last_name}}) {
    auto v = body->String(name);
    if (!v) return AdminError(v.error());
    *out = *v;
  }
  auto disabled = body->Bool("disabled");
  if (!disabled) return AdminError(disabled.error());
  changes.disabled = *disabled;
  auto updated = d.users.Update(user.id, changes, by);
  if (!updated) return AdminError(updated.error());
  return JsonResponse(200, UserView(*updated));
}

HttpResponse SetPassword(const HttpRequest& request, const UserRecord& user, const AdminDeps& d, const Actor& by) {
  if (request.method != "POST") return MethodNotAllowed(request, "POST");
  auto body = JsonBody::Parse(request, {"password", "confirm_password"});
  if (!body) return AdminError(body.error());
  auto password = NewPassword(*body);
  if (!password) return AdminError(password.error());
  if (auto s = d.users.SetPassword(user.id, *password, by); !s) return AdminError(s.error());
  return NoContent();
}

}  // namespace

HttpResponse HandleUsers(const HttpRequest& request, const std::string& client_id, const std::vector<std::string>& rest,
                         const AdminDeps& d, const Actor& by) {
  if (rest.size() > 2 || (rest.size() == 2 && rest[1] != "password")) {
    return ErrorResponse(Error(ErrorCode::kNotFound, "no such endpoint: " + request.path));
  }
  // The application must exist: 404 names it, rather than an empty list.
  if (auto app = d.clients.Get(client_id); !app) return AdminError(app.error());
  if (rest.empty()) {
    if (request.method == "GET" || request.method == "HEAD") return List(request, client_id, d);
    if (request.method == "POST") return Create(request, client_id, d, by);
    return MethodNotAllowed(request, "GET, POST");
  }
  auto user = FindUser(client_id, rest[0], d.users);
  if (!user) return AdminError(user.error());
  if (rest.size() == 2) return SetPassword(request, *user, d, by);
  if (request.method == "GET" || request.method == "HEAD") return JsonResponse(200, UserView(*user));
  if (request.method == "PATCH") return Update(request, *user, d, by);
  if (request.method == "DELETE") {
    if (auto s = d.users.Delete(user->id, by); !s) return AdminError(s.error());
    return NoContent();
  }
  return MethodNotAllowed(request, "GET, PATCH, DELETE");
}

}  // namespace atm
