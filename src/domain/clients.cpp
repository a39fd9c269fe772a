#include "domain/clients.h"

#include <algorithm>
#include <cctype>

#include "crypto/encoding.h"
#include "domain/ids.h"
#include "domain/redirect_uris.h"
#include "domain/validation.h"

namespace atm {
namespace {

Status ValidateName(const std::string& name) {
  if (name.empty()) return InvalidRequest("name is required", "name");
  if (name.size() > 200) return InvalidRequest("name must be at most 200 characters", "name");
  return Ok();
}

Status ValidateRedirectUrls(const std::vector<std::string>& urls) {
  if (urls.empty()) return InvalidRequest("redirect URL is required", "redirect_url");
  if (urls.size() > 20) return InvalidRequest("at most 20 redirect URLs", "redirect_url");
  for (const auto& u : urls) {
    if (auto s = ValidateRedirectUrl(u, "redirect_url"); !s) return s;
  }
  return Ok();
}

// "https://app.example.com" or "http://localhost:3000": an origin as a
// browser sends it, with no path (the Fetch standard's serialization).
Status ValidateWebOrigins(const std::vector<std::string>& origins) {
  if (origins.size() > 20) return InvalidRequest("at most 20 web origins", "web_origins");
  for (const auto& o : origins) {
    if (OriginOf(o) != o) {
      return InvalidRequest("web origin \"" + o + "\" must be scheme://host[:port] in lower case, without a path",
                            "web_origins");
    }
  }
  return Ok();
}

Status ValidatePostLogoutUrls(const std::vector<std::string>& urls) {
  if (urls.size() > 20) return InvalidRequest("at most 20 post-logout redirect URLs", "post_logout_redirect_urls");
  for (const auto& u : urls) {
    if (auto s = ValidateRedirectUrl(u, "post_logout_redirect_urls"); !s) return s;
  }
  return Ok();
}

Status ValidateClientId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 100 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!ok) return InvalidRequest("client_id must be 1 to 100 characters of A-Z a-z 0-9 - _ .", "client_id");
  return Ok();
}

Status ValidateClientSecret(const std::string& secret) {
  bool ok = secret.size() >= 16 && secret.size() <= 200 &&
            std::all_of(secret.begin(), secret.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (!ok) {
    return InvalidRequest("client_secret must be 16 to 200 printable characters without spaces", "client_secret");
  }
  return Ok();
}

std::vector<std::string> TrimAll(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::string t = Trim(s);
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

}  // namespace

nlohmann::json ClientService::AuditView(const ClientRecord& c) {
  return {{"name", c.name},
          {"redirect_urls", c.redirect_urls},
          {"public", c.is_public},
          {"disabled", c.disabled},
          {"web_origins", c.web_origins},
          {"post_logout_redirect_urls", c.post_logout_redirect_urls},
          {"device_grant", c.device_grant}};
}

Result<CreatedApplication> ClientService::Create(const NewApplication& app, const Actor& by) {
  ClientRecord c;
  c.name = Trim(app.name);
  c.redirect_urls = TrimAll(app.redirect_urls);
  c.web_origins = TrimAll(app.web_origins);
  c.post_logout_redirect_urls = TrimAll(app.post_logout_redirect_urls);
  c.is_public = app.is_public;
  c.device_grant = app.device_grant;
  if (auto s = ValidateName(c.name); !s) return s.error();
  if (auto s = ValidateRedirectUrls(c.redirect_urls); !s) return s.error();
  if (auto s = ValidateWebOrigins(c.web_origins); !s) return s.error();
  if (auto s = ValidatePostLogoutUrls(c.post_logout_redirect_urls); !s) return s.error();
  c.id = app.client_id.empty() ? NewClientId() : app.client_id;
  if (auto s = ValidateClientId(c.id); !s) return s.error();
  std::string secret;
  if (app.is_public) {
    if (!app.client_secret.empty()) {
      return InvalidRequest("a public application has no client secret", "client_secret");
    }
  } else {
    secret = app.client_secret.empty() ? NewClientSecret() : app.client_secret;
    if (auto s = ValidateClientSecret(secret); !s) return s.error();
    c.secret_hash = HashSecret(secret);
  }
  c.created_at = c.updated_at = clock_.Now();
  AuditEvent event = NewAuditEvent(audit_kind::kApplicationCreate, by, c.created_at);
  event.client_id = event.subject = c.id;
  event.detail = ChangeDetail(nullptr, AuditView(c));
  if (auto s = store_.CreateClient(c, &event); !s) {
    if (s.error().Is(ErrorCode::kConflict)) {
      return Error(ErrorCode::kConflict, "an application with this client_id already exists", "client_id");
    }
    return s.error();
  }
  return CreatedApplication{std::move(c), std::move(secret)};
}

Result<ClientRecord> ClientService::Get(const std::string& client_id) {
  auto found = store_.GetClient(client_id);
  if (!found) return found.error();
  if (!*found) return Error(ErrorCode::kNotFound, "no application with client_id " + client_id, "client_id");
  return std::move(**found);
}

Result<std::vector<ClientRecord>> ClientService::List(const Page& page) { return store_.ListClients(page); }

Result<int64_t> ClientService::Count() { return store_.CountClients(); }

Result<ClientRecord> ClientService::Update(const std::string& client_id, const ApplicationChanges& changes,
                                           const Actor& by) {
  auto current = Get(client_id);
  if (!current) return current;
  const nlohmann::json before = AuditView(*current);
  ClientRecord c = std::move(*current);
  if (changes.name) {
    c.name = Trim(*changes.name);
    if (auto s = ValidateName(c.name); !s) return s.error();
  }
  if (changes.redirect_urls) {
    c.redirect_urls = TrimAll(*changes.redirect_urls);
    if (auto s = ValidateRedirectUrls(c.redirect_urls); !s) return s.error();
  }
  if (changes.web_origins) {
    c.web_origins = TrimAll(*changes.web_origins);
    if (auto s = ValidateWebOrigins(c.web_origins); !s) return s.error();
  }
  if (changes.post_logout_redirect_urls) {
    c.post_logout_redirect_urls = TrimAll(*changes.post_logout_redirect_urls);
    if (auto s = ValidatePostLogoutUrls(c.post_logout_redirect_urls); !s) return s.error();
  }
  if (changes.disabled) c.disabled = *changes.disabled;
  if (changes.device_grant) c.device_grant = *changes.device_grant;
  c.updated_at = clock_.Now();
  AuditEvent event = NewAuditEvent(audit_kind::kApplicationUpdate, by, c.updated_at);
  event.client_id = event.subject = c.id;
  event.detail = ChangeDetail(before, AuditView(c));
  if (auto s = store_.UpdateClient(c, &event); !s) return s.error();
  return c;
}

Status ClientService::Delete(const std::string& client_id, const Actor& by) {
  AuditEvent event = NewAuditEvent(audit_kind::kApplicationDelete, by, clock_.Now());
  event.client_id = event.subject = client_id;
  if (auto current = store_.GetClient(client_id); current && *current) {
    event.detail = ChangeDetail(AuditView(**current), nullptr);
  }
  auto s = store_.DeleteClient(client_id, &event);
  if (!s && s.error().Is(ErrorCode::kNotFound)) {
    return Error(ErrorCode::kNotFound, "no application with client_id " + client_id, "client_id");
  }
  return s;
}

Result<std::string> ClientService::RotateSecret(const std::string& client_id, const Actor& by,
                                                const std::string& given) {
  auto current = Get(client_id);
  if (!current) return current.error();
  if (current->is_public) {
    return InvalidRequest("a public application has no client secret to rotate", "client_id");
  }
  std::string secret = given.empty() ? NewClientSecret() : given;
  if (auto s = ValidateClientSecret(secret); !s) return s.error();
  AuditEvent event = NewAuditEvent(audit_kind::kApplicationSecret, by, clock_.Now());
  event.client_id = event.subject = client_id;
  if (auto s = store_.SetClientSecret(client_id, HashSecret(secret), event.at, &event); !s) return s.error();
  return secret;
}

Result<ClientRecord> ClientService::FindActive(const std::string& client_id) {
  if (client_id.empty()) return InvalidRequest("clientId is required", "clientId");
  auto found = store_.GetClient(client_id);
  if (!found) return found.error();
  if (!*found) return InvalidClient("unknown client: check the clientId");
  if ((*found)->disabled) return InvalidClient("this application is disabled");
  return std::move(**found);
}

bool ClientService::AllowsOrigin(const ClientRecord& client, const std::string& origin) {
  if (origin.empty()) return false;
  return std::find(client.web_origins.begin(), client.web_origins.end(), origin) != client.web_origins.end() ||
         std::any_of(client.redirect_urls.begin(), client.redirect_urls.end(),
                     [&](const std::string& url) { return OriginOf(url) == origin; });
}

bool ClientService::AllowsPostLogoutRedirect(const ClientRecord& client, const std::string& url) {
  return MatchesRegisteredRedirect(client.post_logout_redirect_urls, url) ||
         MatchesRegisteredRedirect(client.redirect_urls, url);
}

Result<bool> ClientService::AnyAllowsOrigin(const std::string& origin) {
  constexpr int64_t kBatch = 200;
  for (Page page{0, kBatch};; page.offset += kBatch) {
    auto clients = store_.ListClients(page);
    if (!clients) return clients.error();
    for (const auto& c : *clients) {
      if (!c.disabled && AllowsOrigin(c, origin)) return true;
    }
    if (static_cast<int64_t>(clients->size()) < kBatch) return false;
  }
}

Result<ClientRecord> ClientService::Authenticate(const std::string& client_id, const std::string& secret,
                                                 bool secret_required) {
  auto client = FindActive(client_id);
  if (!client) return client;
  if (client->is_public) {
    if (!secret.empty()) return InvalidClient("this application is public and has no client secret");
    return client;
  }
  if (secret.empty()) {
    if (secret_required) return InvalidClient("client authentication failed: the client secret is missing");
    return client;
  }
  if (!ConstantTimeEquals(HashSecret(secret), client->secret_hash)) {
    return InvalidClient("client authentication failed: the client secret is wrong");
  }
  return client;
}

}  // namespace atm
