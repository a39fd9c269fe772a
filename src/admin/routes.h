// The admin console (GET /admin and its assets) and the admin JSON API
// (/admin/api/...), registered on the router by the composition root.
#pragma once

#include "admin/deps.h"
#include "http/router.h"

namespace atm {

void RegisterAdminRoutes(Router& router, const AdminDeps& deps);

// Dispatches /admin/api/...: the session endpoints, then (for an
// authenticated admin) applications and their users. Exposed for tests.
HttpResponse HandleAdminApi(const HttpRequest& request, const AdminDeps& deps);

}  // namespace atm
