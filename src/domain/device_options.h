// The device authorization grant's options (RFC 8628): the DeviceCodeService's
// options and the [device] section of the config file, defaults written once.
#pragma once

#include <cstdint>

namespace atm {

struct DeviceOptions {
  int64_t code_ttl = 600;  // expires_in of a device authorization (§3.2)
  int64_t interval = 5;    // seconds between polls (§3.2; §3.5 adds 5 per slow_down)
};

}  // namespace atm
