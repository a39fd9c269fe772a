// The JSON shapes of applications and users, shared by the admin API and the
// CLI's --json output so that scripts see one format. Secrets and password
// hashes never appear here.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace atm {

// What the ATM console calls the authenticator type of every application.
inline constexpr const char* kAuthenticatorType = "Authorization PKCE Flow";

// {client_id, name, type: "confidential"|"public", authenticator_type,
//  redirect_url (the first), redirect_urls, web_origins, post_logout_redirect_urls, disabled,
//  user_count, created_at, updated_at}
nlohmann::json ApplicationView(const ClientRecord& client, int64_t user_count);
// {id, client_id, email, first_name, last_name, disabled, created_at, updated_at}
nlohmann::json UserView(const UserRecord& user);
// {admin_id, username, created_at, updated_at}
nlohmann::json AdminView(const AdminRecord& admin);
// {id, at, time, kind, actor, outcome, client_id, subject, address, detail}:
// `time` is `at` in UTC, `detail` the stored JSON object (or null).
nlohmann::json AuditEventView(const AuditEvent& event);
// A page of a list: {items, total, offset, limit}.
nlohmann::json ListView(nlohmann::json items, int64_t total, const Page& page);

}  // namespace atm
