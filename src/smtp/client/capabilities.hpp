// The ESMTP extensions a server announces in its EHLO reply (RFC 5321
// §4.1.1.1) that our client uses: PIPELINING (RFC 2920), SIZE (RFC 1870),
// 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), STARTTLS (RFC 3207),
// ENHANCEDSTATUSCODES (RFC 2034) and AUTH (RFC 4954).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "smtp/client/reply_parser.hpp"

namespace postern::smtp::client {

struct Capabilities {
  bool esmtp = false;  // false after a HELO fallback: no extensions at all
  bool pipelining = false;
  bool size = false;
  uint64_t size_limit = 0;  // SIZE n; 0 = no limit announced
  bool eight_bit_mime = false;
  bool smtputf8 = false;
  bool starttls = false;
  bool enhanced_status_codes = false;
  std::vector<std::string> auth;  // mechanisms, upper-cased
};

// Reads the keyword lines of a 250 EHLO reply (the first line is the
// greeting name and is skipped). Keywords are case-insensitive; unknown ones
// are ignored; a SIZE parameter that is not a number is read as "no limit".
Capabilities parse_ehlo(const ServerReply& reply);

}  // namespace postern::smtp::client
