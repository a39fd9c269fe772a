// The admin API's users of one application, below
// /admin/api/applications/{client_id}/users (after AuthenticateAdmin).
// `rest` is what follows "users" in the path.
//
//   GET    users              ?email=&offset=&limit=   list (email contains, case-insensitive)
//   POST   users              email, password, confirm_password?, first_name, last_name
//   GET    users/{id}         show
//   PATCH  users/{id}         email, first_name, last_name, disabled
//   POST   users/{id}/password   password, confirm_password?   (reset)
//   DELETE users/{id}         delete, revoking the user's tokens
// A user of another application is not found here (404).
#pragma once

#include <string>
#include <vector>

#include "admin/deps.h"
#include "http/http.h"

namespace atm {

HttpResponse HandleUsers(const HttpRequest& request, const std::string& client_id, const std::vector<std::string>& rest,
                         const AdminDeps& deps, const Actor& by);

}  // namespace atm
