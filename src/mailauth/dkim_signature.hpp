// The DKIM-Signature header field (RFC 6376 §3.5): parsed into typed tags
// for the verifier. Parses untrusted input; errors are values whose message
// is the reason a verifier reports (permerror).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mailauth/canonicalization.hpp"
#include "mailauth/dkim_key.hpp"

namespace postern::mailauth {

inline constexpr std::string_view kDkimSignatureField = "DKIM-Signature";

struct DkimSignature {
  std::string algorithm;                 // a= as written, lower-cased ("rsa-sha256")
  std::optional<KeyType> key_type;       // set when `algorithm` is one we verify
  std::string signature;                 // b=, decoded
  std::string body_hash;                 // bh=, decoded
  Canon header_canon = Canon::simple;    // c= (default simple/simple)
  Canon body_canon = Canon::simple;
  std::string domain;                    // d=, lower-cased
  std::vector<std::string> signed_headers;  // h=, names as written (compare case-insensitively)
  std::string identity;                  // i=, default "@" + d
  std::optional<uint64_t> body_length;   // l=
  std::string selector;                  // s=, lower-cased
  std::optional<int64_t> timestamp;      // t=
  std::optional<int64_t> expiration;     // x=
};

// Parses a DKIM-Signature field value (folding included). Errors (syntax),
// each naming the problem: tag-list syntax, v= missing or not "1", a
// required tag missing (a, b, bh, d, h, s), bad base64, an unknown c=
// algorithm, h= without "from" (§5.4), i= outside d= (§3.5), q= without
// dns/txt, non-numeric l=/t=/x=, x= not after t=. An a= value we do not
// implement (e.g. rsa-sha1, refused by RFC 8301) is not an error here:
// `key_type` stays empty and the verifier decides.
Result<DkimSignature> parse_dkim_signature(std::string_view value);

}  // namespace postern::mailauth
