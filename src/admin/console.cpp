#include "admin/console.h"

#include "http/responses.h"
#include "http/web_assets.h"
#include "oauth/pages.h"

namespace atm {

HttpResponse ConsolePage(const HttpRequest&) {
  const WebAsset* page = FindWebAsset("admin.html");
  if (!page) return ErrorResponse(Error(ErrorCode::kNotFound, "the console is not built into this binary"));
  return HtmlResponse(200, std::string(page->body));
}

HttpResponse ConsoleAsset(const HttpRequest& request) {
  // The console changes with the binary: revalidate rather than cache for an hour.
  HttpResponse r = StaticAsset(request);
  if (r.status == 200) {
    for (auto& [name, value] : r.headers) {
      if (name == "Cache-Control") value = "no-cache";
    }
  }
  return r;
}

}  // namespace atm
