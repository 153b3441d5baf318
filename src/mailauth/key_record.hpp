// The DKIM key record published in DNS at <selector>._domainkey.<domain>
// (RFC 6376 §3.6.1; k=ed25519 from RFC 8463 §4.2): parsing what verifiers
// fetch, and producing what `postern dkim keygen` tells admins to publish.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mailauth/dkim_key.hpp"

namespace postern::mailauth {

struct KeyRecord {
  std::string key_type = "rsa";      // k=, lower-cased, as written (may be one we do not know)
  std::optional<KeyType> type;       // set when `key_type` is rsa or ed25519
  std::vector<std::string> hashes;   // h= (empty: any)
  std::vector<std::string> services; // s= (default "*")
  bool testing = false;              // t=y: the domain is testing DKIM (RFC 6376 §3.6.1)
  bool strict = false;               // t=s: i= must use d= exactly, no subdomain
  std::string public_key;            // p=, decoded; empty = revoked
};

// Parses a key record (the TXT record's strings already concatenated).
// Errors (syntax): tag-list syntax, v= present but not first or not
// "DKIM1", p= missing or not base64. Unknown tags are ignored (§3.6.1).
Result<KeyRecord> parse_key_record(std::string_view txt);

// The DNS name of a key: "<selector>._domainkey.<domain>".
std::string key_record_name(std::string_view selector, std::string_view domain);

// The record text for a key: "v=DKIM1; k=rsa; p=<base64>".
std::string format_key_record(const PrivateKey& key);

// Splits TXT record text into character-strings of at most 255 octets
// (RFC 1035 §3.3.14); DKIM joins them back without separators (§3.6.2.2).
std::vector<std::string> split_txt_strings(std::string_view text, size_t max = 255);

// The record in zone-file syntax, quoted strings in parentheses when there
// are several: `name. IN TXT ( "..." "..." )`.
std::string zone_txt_line(std::string_view name, std::string_view text);

}  // namespace postern::mailauth
