// Routes (method, exact path) to handlers. Unknown paths answer 404 and
// unknown methods 405, as JSON; one catch-all turns any exception that escapes
// a handler into an opaque server_error, logged with its detail.
// A prefix route (AddPrefix) takes every method on every path below the
// prefix that has no exact route, for APIs with identifiers in the path; its
// handler answers 404 and 405 itself. A middleware (Use) wraps every
// request: it may answer by itself, or call `next` and look at the answer.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http/http.h"

namespace atm {

using Handler = std::function<HttpResponse(const HttpRequest&)>;
using Middleware = std::function<HttpResponse(const HttpRequest&, const Handler& next)>;

class Router {
 public:
  void Add(const std::string& method, const std::string& path, Handler handler);
  void AddPrefix(const std::string& prefix, Handler handler);
  // Middlewares run in the order added, the first outermost; add them all
  // before serving.
  void Use(Middleware middleware);
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  HttpResponse Dispatch(const HttpRequest& request) const;

  std::map<std::string, std::map<std::string, Handler>> routes_;  // path -> method -> handler
  std::map<std::string, Handler> prefixes_;                       // prefix -> handler
  std::vector<Middleware> middlewares_;
  Handler chain_;  // the middlewares around Dispatch; empty without any
};

}  // namespace atm
