#include "oauth/pages.h"

#include "http/responses.h"
#include "http/web_assets.h"

namespace atm {
namespace {

std::string Fill(std::string_view page, const std::string& key, const std::string& value) {
  std::string out(page);
  const std::string marker = "{{" + key + "}}";
  for (size_t pos = out.find(marker); pos != std::string::npos; pos = out.find(marker, pos + value.size())) {
    out.replace(pos, marker.size(), value);
  }
  return out;
}

std::string_view Page(const char* name) {
  const WebAsset* asset = FindWebAsset(name);
  return asset ? asset->body : std::string_view();
}

}  // namespace

HttpResponse LoginPage(const std::string& application_name) {
  return HtmlResponse(200, Fill(Page("login.html"), "application", HtmlEscape(application_name)));
}

HttpResponse ErrorPage(int status, const std::string& title, const std::string& message) {
  std::string html = Fill(Page("error.html"), "title", HtmlEscape(title));
  return HtmlResponse(status, Fill(html, "message", HtmlEscape(message)));
}

HttpResponse StaticAsset(const HttpRequest& request) {
  constexpr std::string_view kPrefix = "/assets/";
  std::string_view name = std::string_view(request.path).substr(kPrefix.size());
  const WebAsset* asset = FindWebAsset(name);
  if (!asset || asset->content_type.rfind("text/html", 0) == 0) {
    return ErrorResponse(Error(ErrorCode::kNotFound, "no such asset"));
  }
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->body);
  r.With("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace atm
