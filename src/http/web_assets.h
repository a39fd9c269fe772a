// The files of web/, compiled into the binary by cmake/embed_web.cmake.
#pragma once

#include <string_view>

namespace atm {

struct WebAsset {
  std::string_view name;  // path below web/, e.g. "login.js"
  std::string_view content_type;
  std::string_view body;
};

// The asset with this name, or nullptr.
const WebAsset* FindWebAsset(std::string_view name);

}  // namespace atm
