// Routes (method, exact path) to handlers. Unknown paths answer 404 and
// unknown methods 405, as JSON; one catch-all turns any exception that escapes
// a handler into an opaque server_error, logged with its detail.
// A prefix route (AddPrefix) takes every method on every path below the
// prefix that has no exact route, for APIs with identifiers in the path; its
// handler answers 404 and 405 itself.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "http/http.h"

namespace atm {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  void Add(const std::string& method, const std::string& path, Handler handler);
  void AddPrefix(const std::string& prefix, Handler handler);
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  std::map<std::string, std::map<std::string, Handler>> routes_;  // path -> method -> handler
  std::map<std::string, Handler> prefixes_;                       // prefix -> handler
};

}  // namespace atm
