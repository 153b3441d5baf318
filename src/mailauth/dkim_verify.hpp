// DKIM verification (RFC 6376 §6) for inbound mail. Sans-I/O in two steps so
// that the caller can fetch keys however it likes (synchronously in tests,
// with the asynchronous resolver in the server):
//
//   1. find_signatures(message) -> the DKIM-Signature fields and, for each
//      parsed one, the DNS name of its key (key_record_name);
//   2. verify_signature(message, signature, key lookup answer) -> a verdict.
//
// verify_message() does both with a synchronous lookup callback. Verdicts
// are values, never errors (STYLE.md): pass / fail / neutral / temperror /
// permerror with a human-readable reason, as RFC 8601 §2.7.1 reports them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailauth/dkim_signature.hpp"
#include "mime/header.hpp"

namespace postern::mailauth {

enum class DkimStatus {
  pass,       // the signature verified
  fail,       // it did not: body hash or signature mismatch, expired
  neutral,    // could not be evaluated: an algorithm or key type we do not implement
  temperror,  // the key could not be fetched now (DNS temporary failure)
  permerror,  // broken beyond retry: syntax, missing or revoked key, unusable key
};
std::string_view dkim_status_name(DkimStatus status);  // "pass", "fail", ... (RFC 8601)

struct DkimResult {
  DkimStatus status = DkimStatus::permerror;
  std::string reason;     // why, for Authentication-Results and logs ("body hash did not verify")
  std::string domain;     // d= (empty when the field could not be parsed)
  std::string selector;   // s=
  std::string identity;   // i=
  std::string algorithm;  // a=
  bool testing = false;   // the key record has t=y
};

// The answer to a TXT query for a key record.
struct KeyLookup {
  enum class Status { found, not_found, temporary_failure } status = Status::not_found;
  // One entry per TXT record; each record's character-strings already joined.
  std::vector<std::string> records;
};
using KeyLookupFn = std::function<KeyLookup(const std::string& name)>;

// One DKIM-Signature field of a message.
struct FoundSignature {
  mime::HeaderField field;               // name and raw value, pointing into the message
  Result<DkimSignature> parsed;          // error: the reason for a permerror
  std::string key_name;                  // "<s>._domainkey.<d>" when parsed, else empty
};

// Verifying costs a DNS query and a public-key operation each: fields past
// this many are ignored (a bound against messages stuffed with signatures).
constexpr size_t kMaxSignaturesVerified = 5;

// The DKIM-Signature fields, top to bottom (at most kMaxSignaturesVerified).
std::vector<FoundSignature> find_signatures(std::string_view message);

// Verifies one signature of `message` (the same buffer find_signatures
// saw) with the answer to its key lookup. `now` (unix seconds) is compared
// with x=.
DkimResult verify_signature(std::string_view message, const FoundSignature& signature, const KeyLookup& key,
                            int64_t now);

// Both steps with a synchronous lookup: one result per signature found, in
// order; an empty vector means the message is unsigned ("none").
std::vector<DkimResult> verify_message(std::string_view message, const KeyLookupFn& lookup, int64_t now);

}  // namespace postern::mailauth
