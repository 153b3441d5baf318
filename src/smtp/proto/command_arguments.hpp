// Parsers for the arguments of MAIL FROM, RCPT TO (RFC 5321 §4.1.1.2-3,
// §4.1.2 paths and esmtp-params) and BDAT (RFC 3030 §2). Parses untrusted
// input; on failure returns the exact reply to send:
//   501 5.5.4  argument syntax (missing FROM:/TO:, angle brackets, bad value)
//   501 5.1.7  / 501 5.1.3  malformed sender / recipient mailbox
//   553 5.6.7  non-ASCII mailbox without SMTPUTF8 (RFC 6531 §3.4)
//   555 5.5.4  unknown or unsupported parameter (RFC 5321 §4.1.1.11)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/email_address.hpp"
#include "smtp/proto/reply.hpp"

namespace postern::smtp {

enum class BodyType { unspecified, seven_bit, eight_bit_mime, binary_mime };

struct MailFrom {
  std::optional<EmailAddress> sender;  // nullopt for the null reverse-path <>
  std::optional<uint64_t> size;        // SIZE= (RFC 1870); saturates at UINT64_MAX
  BodyType body = BodyType::unspecified;  // BODY= (RFC 6152, RFC 3030)
  bool smtputf8 = false;                // SMTPUTF8 (RFC 6531 §3.4)
};

struct RcptTo {
  EmailAddress recipient;
  bool postmaster = false;  // the domain-less <postmaster> (RFC 5321 §4.1.1.3)
};

struct BdatArguments {
  uint64_t size = 0;
  bool last = false;
};

// `argument` is what follows "MAIL": "FROM:<path> [params]". `esmtp` is false
// after HELO: then no parameters are accepted (RFC 5321 §4.1.1.2). A space
// after the colon is tolerated (many clients send one). Source routes are
// accepted and ignored (RFC 5321 Appendix C).
ReplyOr<MailFrom> parse_mail_from(std::string_view argument, bool esmtp);

// `argument` is what follows "RCPT": "TO:<path>". No RCPT parameters are
// supported. `smtputf8`: the transaction's MAIL had SMTPUTF8. `<postmaster>`
// (any case) yields postmaster@`postmaster_domain`.
ReplyOr<RcptTo> parse_rcpt_to(std::string_view argument, bool smtputf8, std::string_view postmaster_domain);

// `argument` is what follows "BDAT": "<chunk-size> [LAST]" (RFC 3030 §2).
ReplyOr<BdatArguments> parse_bdat(std::string_view argument);

}  // namespace postern::smtp
