#include "testing/state.h"

#include "admin/views.h"

namespace atm {
namespace {

nlohmann::json UserWithClaims(const UserRecord& user) {
  nlohmann::json view = UserView(user);
  view["claims"] = user.claims.empty() ? nlohmann::json::object() : nlohmann::json::parse(user.claims);
  return view;
}

// The `testing` object of an application: its login shortcuts.
Result<std::optional<TestLogin>> ReadTestLogin(const JsonBody& body) {
  auto raw = body.Object("testing");
  if (!raw) return raw.error();
  if (!*raw) return std::optional<TestLogin>();
  TestLogin login;
  for (const auto& [name, value] : (*raw)->items()) {
    if (name == "auto_login" && (value.is_string() || value.is_null())) {
      login.auto_login = value.is_null() ? "" : value.get<std::string>();
    } else if (name == "user_picker" && value.is_boolean()) {
      login.user_picker = value.get<bool>();
    } else {
      return InvalidRequest("testing." + name + ": expected auto_login (an email) or user_picker (true or false)",
                            "testing");
    }
  }
  return std::optional<TestLogin>(login);
}

}  // namespace

Result<Upserted> PutApplication(TestingDeps& deps, const std::string& client_id, const JsonBody& body) {
  auto name = body.String("name");
  auto secret = body.String("client_secret");
  auto is_public = body.Bool("public");
  auto redirect_urls = body.Strings("redirect_urls");
  auto web_origins = body.Strings("web_origins");
  auto post_logout = body.Strings("post_logout_redirect_urls");
  auto disabled = body.Bool("disabled");
  auto device_grant = body.Bool("device_grant");
  auto testing = ReadTestLogin(body);
  if (auto e =
          FirstError(name, secret, is_public, redirect_urls, web_origins, post_logout, disabled, device_grant, testing))
    return *e;
  Upserted out;
  auto existing = deps.clients.Get(client_id);
  if (existing) {
    if (*is_public && **is_public != existing->is_public) {
      return InvalidRequest("public cannot change on an existing application: reset, or use another client_id",
                            "public");
    }
    auto updated =
        deps.clients.Update(client_id, {*name, *redirect_urls, *disabled, *web_origins, *post_logout, *device_grant});
    if (!updated) return updated.error();
    if (*secret) {
      auto rotated = deps.clients.RotateSecret(client_id, Actor{"testing", ""}, **secret);
      if (!rotated) return rotated.error();
    }
  } else if (existing.error().Is(ErrorCode::kNotFound)) {
    if (!*name || !*redirect_urls) {
      return InvalidRequest("a new application needs name and redirect_urls", *name ? "redirect_urls" : "name");
    }
    NewApplication app{**name,
                       client_id,
                       secret->value_or(""),
                       **redirect_urls,
                       is_public->value_or(false),
                       web_origins->value_or(std::vector<std::string>()),
                       post_logout->value_or(std::vector<std::string>()),
                       device_grant->value_or(false)};
    auto created = deps.clients.Create(app);
    if (!created) return created.error();
    out.created = true;
    if (*disabled && **disabled) {
      ApplicationChanges off;
      off.disabled = true;
      if (auto d = deps.clients.Update(client_id, off); !d) return d.error();
    }
    out.view["client_secret"] = created->client_secret;
  } else {
    return existing.error();
  }
  if (*testing) deps.test_logins.Set(client_id, **testing);
  auto record = deps.clients.Get(client_id);
  if (!record) return record.error();
  auto users = deps.users.Count(client_id, "");
  nlohmann::json view = ApplicationView(*record, users ? *users : 0);
  if (out.view.contains("client_secret") && !out.view["client_secret"].get<std::string>().empty()) {
    view["client_secret"] = out.view["client_secret"];
  }
  auto login = deps.test_logins.For(client_id);
  view["testing"] = {{"auto_login", login ? login->auto_login : ""}, {"user_picker", login && login->user_picker}};
  out.view = std::move(view);
  return out;
}

Result<Upserted> PutUser(TestingDeps& deps, const std::string& user_id, const JsonBody& body) {
  auto client_id = body.String("client_id");
  auto email = body.String("email");
  auto password = body.String("password");
  auto first_name = body.String("first_name");
  auto last_name = body.String("last_name");
  auto claims = body.Object("claims");
  auto disabled = body.Bool("disabled");
  if (auto e = FirstError(client_id, email, password, first_name, last_name, claims, disabled)) return *e;
  Upserted out;
  auto existing = deps.users.Get(user_id);
  if (existing) {
    if (*client_id && **client_id != existing->client_id) {
      return InvalidRequest("client_id cannot change on an existing user", "client_id");
    }
    UserChanges changes;
    changes.email = *email;
    changes.first_name = *first_name;
    changes.last_name = *last_name;
    changes.disabled = *disabled;
    changes.claims = *claims;
    auto updated = deps.users.Update(user_id, changes);
    if (!updated) return updated.error();
    if (*password) {
      if (auto s = deps.users.SetPassword(user_id, **password); !s) return s.error();
    }
  } else if (existing.error().Is(ErrorCode::kNotFound)) {
    if (!*client_id || !*email || !*password) {
      return InvalidRequest("a new user needs client_id, email and password", !*client_id ? "client_id"
                                                                              : !*email   ? "email"
                                                                                          : "password");
    }
    NewUser user{**client_id,
                 **email,
                 **password,
                 "",
                 first_name->value_or(""),
                 last_name->value_or(""),
                 claims->value_or(nlohmann::json::object()),
                 user_id};
    auto created = deps.users.Create(user);
    if (!created) return created.error();
    if (*disabled && **disabled) {
      UserChanges off;
      off.disabled = true;
      if (auto d = deps.users.Update(user_id, off); !d) return d.error();
    }
    out.created = true;
  } else {
    return existing.error();
  }
  auto record = deps.users.Get(user_id);
  if (!record) return record.error();
  out.view = UserWithClaims(*record);
  return out;
}

void ApplySeedTestLogins(TestingDeps& deps) {
  for (size_t i = 0; i < deps.config.applications.size() && i < deps.seeded_client_ids.size(); ++i) {
    deps.test_logins.Set(deps.seeded_client_ids[i], deps.config.applications[i].testing);
  }
}

Status SaveSeedState(TestingDeps& deps) {
  ApplySeedTestLogins(deps);
  return deps.store.SaveSnapshot();
}

Status ResetToSeed(TestingDeps& deps) {
  if (auto s = deps.store.RestoreSnapshot(); !s) return s;
  deps.clock.Reset();
  deps.sessions.Clear();
  deps.throttle.Clear();
  deps.test_logins.Clear();
  ApplySeedTestLogins(deps);
  return Ok();
}

}  // namespace atm
