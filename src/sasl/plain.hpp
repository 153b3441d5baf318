// The PLAIN mechanism's message (RFC 4616 §2): [authzid] NUL authcid NUL
// passwd. Shared by IMAP AUTHENTICATE, SMTP AUTH and POP3 AUTH.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::sasl {

struct PlainCredentials {
  std::string authzid;  // empty, or equal to authcid (acting as another user is not supported)
  std::string authcid;
  std::string password;
};

// `message` is already base64-decoded. Errors are ErrorKind::syntax with a
// reason fit for the client.
Result<PlainCredentials> parse_plain(std::string_view message);

}  // namespace postern::sasl
