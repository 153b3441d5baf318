// The Received: trace header the SMTP server prepends to every accepted
// message (RFC 5321 §4.4), with the protocol types of RFC 3848 and RFC 6531
// §3.7.3 and an RFC 5322 §3.3 date in UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postern::smtp {

struct ReceivedInfo {
  std::string_view helo;        // the EHLO/HELO argument
  std::string_view client_ip;   // "192.0.2.1" or "2001:db8::1"
  std::string_view hostname;    // our name ("by")
  std::string_view protocol;    // see protocol_type()
  std::string_view session_id;  // "id"
  std::string_view recipient;   // "for <...>" when non-empty (exactly one recipient)
  int64_t unix_time = 0;
};

// "SMTP" after HELO; otherwise "ESMTP" or, with SMTPUTF8, "UTF8SMTP", plus
// "S" for TLS and "A" for an authenticated client (RFC 3848, RFC 6531 §3.7.3).
std::string protocol_type(bool esmtp, bool smtputf8, bool tls, bool authenticated);

// "Tue, 03 Jan 2023 10:00:00 +0000".
std::string rfc5322_date_utc(int64_t unix_time);

// The complete header, CRLF-terminated, folded so that lines stay near 78
// columns (continuation lines start with a TAB).
std::string build_received_header(const ReceivedInfo& info);

}  // namespace postern::smtp
