// Applications (OAuth clients): the rules for creating, editing and
// authenticating them. Every interface (admin API, console, CLI, seeding and
// the OAuth endpoints) goes through this service.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/audit.h"
#include "store/client_store.h"

namespace atm {

struct NewApplication {
  std::string name;
  std::string client_id;      // generated when empty
  std::string client_secret;  // generated when empty, unless public
  std::vector<std::string> redirect_urls;
  bool is_public = false;
  std::vector<std::string> web_origins;
  std::vector<std::string> post_logout_redirect_urls;
  bool device_grant = false;
};

struct CreatedApplication {
  ClientRecord record;
  std::string client_secret;  // the plain secret: shown once, stored only hashed
};

struct ApplicationChanges {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> redirect_urls;
  std::optional<bool> disabled;
  std::optional<std::vector<std::string>> web_origins;
  std::optional<std::vector<std::string>> post_logout_redirect_urls;
  std::optional<bool> device_grant;
};

class ClientService {
 public:
  ClientService(ClientStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // The changes are written to the audit trail as made `by`.
  Result<CreatedApplication> Create(const NewApplication& app, const Actor& by = {});
  Result<ClientRecord> Get(const std::string& client_id);
  Result<std::vector<ClientRecord>> List(const Page& page);
  Result<int64_t> Count();
  Result<ClientRecord> Update(const std::string& client_id, const ApplicationChanges& changes, const Actor& by = {});
  Status Delete(const std::string& client_id, const Actor& by = {});
  // A new secret replaces the old one at once; returns the plain secret.
  // `secret` fixes it (the test-control API); empty generates one.
  Result<std::string> RotateSecret(const std::string& client_id, const Actor& by = {}, const std::string& secret = "");
  // What the audit trail shows of an application: everything but the secret's hash.
  static nlohmann::json AuditView(const ClientRecord& client);

  // The enabled application `client_id`, or invalid_client.
  Result<ClientRecord> FindActive(const std::string& client_id);
  // CORS (the Fetch standard): whether a web page on `origin` may call the
  // token, revocation, userinfo and ATM endpoints for `client`: its web
  // origins, and the origins of its redirect URLs.
  static bool AllowsOrigin(const ClientRecord& client, const std::string& origin);
  // RP-initiated logout: one of its post-logout redirect URLs or redirect
  // URLs (the same matching as redirect URLs).
  static bool AllowsPostLogoutRedirect(const ClientRecord& client, const std::string& url);
  // Whether any enabled application allows `origin` (a preflight names no
  // application).
  Result<bool> AnyAllowsOrigin(const std::string& origin);
  // RFC 6749 §2.3.1: checks the secret in constant time. A confidential client
  // must present it when `secret_required`; a public client must not have one.
  Result<ClientRecord> Authenticate(const std::string& client_id, const std::string& secret, bool secret_required);

 private:
  ClientStore& store_;
  const Clock& clock_;
};

}  // namespace atm
