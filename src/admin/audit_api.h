// The admin API's audit trail (after AuthenticateAdmin), newest first:
//
//   GET audit   ?kind=&outcome=&client_id=&actor=&subject=&since=&until=&offset=&limit=
//
// since and until take what ParseTimeBound does (seconds, "24h", a UTC
// date); the answer is a page: {items, total, offset, limit}.
#pragma once

#include <string>
#include <vector>

#include "admin/deps.h"
#include "http/http.h"

namespace atm {

HttpResponse HandleAudit(const HttpRequest& request, const std::vector<std::string>& segments, const AdminDeps& deps);

}  // namespace atm
