#pragma once
// The one check of a private key file's permissions, shared by the CA (pki) and every TLS
// context (tls): a key that group or others may access is refused.

#include <string>
#include <string_view>

#include "core/result.h"

namespace ccsec::core {

/// Refuses a private key file that group or others may access (any bit of mode 077): "PATH is
/// accessible by group or others (mode 0640); chmod 600 PATH" followed by `remedy` (e.g. ", or
/// set allow_insecure_key_permissions: true"). Ok for a file that cannot be stat'ed (loading
/// it reports that).
Result<void> checkKeyFileMode(const std::string& path, std::string_view remedy = {});

}  // namespace ccsec::core
