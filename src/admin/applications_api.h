// The admin API's applications and their users (all under /admin/api/,
// after AuthenticateAdmin). `segments` is the path split at '/', starting
// with "applications".
//
//   GET    applications                     ?offset=&limit=   list, with total
//   POST   applications                     create; answers the client secret once
//   GET    applications/{id}                show
//   PATCH  applications/{id}                name, redirect_urls, disabled
//   DELETE applications/{id}                delete, with its users and tokens
//   POST   applications/{id}/secret         rotate; answers the new secret once
//   ...    applications/{id}/users...       see users_api.h
#pragma once

#include <string>
#include <vector>

#include "admin/deps.h"
#include "http/http.h"

namespace atm {

// Changes are written to the audit trail as made `by` (the signed-in admin).
HttpResponse HandleApplications(const HttpRequest& request, const std::vector<std::string>& segments,
                                const AdminDeps& deps, const Actor& by);

// 405 with the Allow header.
HttpResponse MethodNotAllowed(const HttpRequest& request, const std::string& allow);
// 204 No Content.
HttpResponse NoContent();

}  // namespace atm
