// Routes (method, exact path) to handlers. Unknown paths answer 404 and
// unknown methods 405, as JSON; one catch-all turns any exception that escapes
// a handler into an opaque server_error, logged with its detail.
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
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  std::map<std::string, std::map<std::string, Handler>> routes_;  // path -> method -> handler
};

}  // namespace atm
