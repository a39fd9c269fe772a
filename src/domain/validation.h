// Validation rules shared by every interface that creates or edits
// applications and users (admin API, console, CLI, config seeding).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace atm {

// A redirect URL must be an absolute https URL, an http URL on localhost or a
// loopback address (RFC 8252 §7.3), or a private-use scheme for native apps
// ("myapp://callback", RFC 8252 §7.1). No fragment (RFC 6749 §3.1.2).
Status ValidateRedirectUrl(std::string_view url, const std::string& field);
Status ValidateEmail(std::string_view email, const std::string& field);
Status ValidatePassword(std::string_view password, int min_length, const std::string& field);
// Trims surrounding white space.
std::string Trim(std::string_view s);

}  // namespace atm
