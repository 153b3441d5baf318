// DKIM signing (RFC 6376 §5): computes a DKIM-Signature header field for a
// message with c=relaxed/relaxed, one of our keys and a fixed, documented
// header selection. Pure: the caller supplies the key, the clock value and
// the message (CRLF line endings, as sent over SMTP).
//
// Header selection (why): every field in kSignedHeaders that is present is
// signed, once per instance. The fields in kOversignedHeaders are listed in
// h= once more than they occur (RFC 6376 §8.15): the extra entry selects
// nothing and thereby signs the field's absence, so nobody can add a second
// From, Subject or Content-Type (or a Reply-To that was not there) without
// breaking the signature. List-* fields are signed when present but not
// oversigned, so a mailing list may add its own without invalidating ours.
#pragma once

#include <cstdint>
#include <vector>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "mailauth/dkim_key.hpp"

namespace postern::mailauth {

// Signed when present (lower-case, the order used in h=).
inline constexpr std::string_view kSignedHeaders[] = {
    "from", "reply-to", "sender", "subject", "date", "to", "cc", "message-id", "in-reply-to", "references",
    "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "content-language",
    "list-id", "list-help", "list-unsubscribe", "list-unsubscribe-post", "list-subscribe", "list-post",
    "list-owner", "list-archive", "autocrypt", "openpgp",
};
// Signed one extra time (absence signed too).
inline constexpr std::string_view kOversignedHeaders[] = {
    "from", "reply-to", "sender", "subject", "date", "to", "cc", "message-id", "in-reply-to", "references",
    "mime-version", "content-type", "content-transfer-encoding",
};

struct SignOptions {
  std::string domain;    // d=, e.g. "example.org"
  std::string selector;  // s=
  int64_t timestamp = 0; // t=, unix seconds (the caller's clock)
};

constexpr size_t kMaxSignatureLine = 78;  // RFC 5322 §2.1.1 SHOULD

// Returns the complete header field "DKIM-Signature: v=1; ...\r\n", folded
// at kMaxSignatureLine, to be prepended to `message` unchanged. Errors: user
// when the message has no From field (RFC 6376 §5.4 requires signing it);
// internal on a crypto failure.
Result<std::string> dkim_sign(std::string_view message, const PrivateKey& key, const SignOptions& options);

// The h= list dkim_sign would use for these headers (for tests and docs).
std::vector<std::string> signed_header_list(std::string_view message);

}  // namespace postern::mailauth
