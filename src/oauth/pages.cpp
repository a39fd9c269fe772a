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

std::string_view WebPage(const char* name) {
  const WebAsset* asset = FindWebAsset(name);
  return asset ? asset->body : std::string_view();
}

}  // namespace

HttpResponse LoginPage(const std::string& application_name, const std::vector<UserRecord>& picker_users) {
  std::string picker;
  if (!picker_users.empty()) {
    picker = "<ul id=\"user-picker\" class=\"picker\" aria-label=\"Users\">";
    for (const auto& u : picker_users) {
      std::string name = u.first_name + (u.first_name.empty() || u.last_name.empty() ? "" : " ") + u.last_name;
      picker += "<li><button type=\"button\" class=\"pick\" data-email=\"" + HtmlEscape(u.email) + "\"><strong>" +
                HtmlEscape(name.empty() ? u.email : name) + "</strong><span>" + HtmlEscape(u.email) +
                "</span></button></li>";
    }
    picker += "</ul>";
  }
  std::string html = Fill(WebPage("login.html"), "application", HtmlEscape(application_name));
  return HtmlResponse(200, Fill(html, "picker", picker));
}

HttpResponse ErrorPage(int status, const std::string& title, const std::string& message) {
  std::string html = Fill(WebPage("error.html"), "title", HtmlEscape(title));
  return HtmlResponse(status, Fill(html, "message", HtmlEscape(message)));
}

HttpResponse LogoutConfirmPage(const LogoutForm& form, const std::string& return_origin) {
  std::string html(WebPage("logout.html"));
  html = Fill(html, "message",
              HtmlEscape(form.application.empty() ? "You will be signed out of atm."
                                                  : "You will be signed out of " + form.application + "."));
  html = Fill(html, "client_id", HtmlEscape(form.client_id));
  html = Fill(html, "post_logout_redirect_uri", HtmlEscape(form.post_logout_redirect_uri));
  html = Fill(html, "state", HtmlEscape(form.state));
  HttpResponse r = HtmlResponse(200, std::move(html));
  // Browsers hold a form's redirects to form-action too.
  for (auto& [name, value] : r.headers) {
    if (name == "Content-Security-Policy" && !return_origin.empty()) {
      const std::string self = "form-action 'self'";
      value.replace(value.find(self), self.size(), self + " " + return_origin);
    }
  }
  return r;
}

HttpResponse DevicePage() { return HtmlResponse(200, std::string(WebPage("device.html"))); }

HttpResponse SignedOutPage() { return HtmlResponse(200, std::string(WebPage("signed-out.html"))); }

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
