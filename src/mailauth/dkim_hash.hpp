// The two hashes of RFC 6376 §3.7 shared by signer and verifier: the body
// hash (bh=) and the header hash input (selected header fields plus the
// DKIM-Signature field with an empty b=). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mailauth/canonicalization.hpp"
#include "mime/header.hpp"

namespace postern::mailauth {

// SHA-256 of the canonicalized body. With `length` (l=), only that many
// octets of the canonical body are hashed; a canonical body shorter than
// `length` is an error (user: "l= exceeds the body length").
Result<std::string> body_hash(std::string_view body, Canon canon, std::optional<uint64_t> length = std::nullopt);

// The fields `names` (h=) select, in order, each name taking the last
// instance not yet used, bottom-up (RFC 6376 §5.4.2); a name with no
// instance left selects nothing (nullptr), which is how oversigning works.
std::vector<const mime::HeaderField*> select_headers(const mime::HeaderSection& headers,
                                                     const std::vector<std::string>& names);

// The octets the signature covers: every selected field canonicalized with
// `canon`, then the DKIM-Signature field (`signature_value`: its raw value
// with the b= value already removed) canonicalized without a final CRLF.
std::string header_hash_input(const std::vector<const mime::HeaderField*>& fields, Canon canon,
                              std::string_view signature_name, std::string_view signature_value);

// `value` (a DKIM-Signature field value) with the b= tag's value, and the
// whitespace around it, removed (RFC 6376 §3.5, b=): "...; b=".
std::string remove_b_value(std::string_view value);

}  // namespace postern::mailauth
