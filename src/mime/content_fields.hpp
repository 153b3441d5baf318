// The MIME content header fields of RFC 2045 §5 (Content-Type), RFC 2183
// (Content-Disposition) and RFC 3282 (Content-Language), with parameter
// lists per RFC 2045 §5.1 and RFC 2231 (continuations, charset/language).
// Parses untrusted input: malformed parameters are skipped, never fatal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct Param {
  // Lower-cased. Ends in "*" when RFC 2231 charset/percent-encoding was used:
  // that is the form IMAP sends (as Dovecot does), e.g. "title*".
  std::string name;
  // As IMAP sends it: RFC 2231 continuations joined; for a "*" name still
  // "charset'language'percent-encoded" (clients decode it themselves).
  std::string value;
  // UTF-8 for display and SEARCH: RFC 2231 decoded, else RFC 2047
  // encoded-words decoded (the common non-standard filename="=?utf-8?...?=").
  std::string decoded;
  bool operator==(const Param&) const = default;
};
using Params = std::vector<Param>;

struct ContentType {
  std::string type;     // lower-cased, e.g. "multipart"
  std::string subtype;  // lower-cased, e.g. "mixed"
  Params params;
};

struct ContentDisposition {
  std::string type;  // lower-cased, e.g. "attachment"
  Params params;
  bool operator==(const ContentDisposition&) const = default;
};

// RFC 2045 §5.1 "type/subtype *(; parameter)". nullopt when there is no
// valid type/subtype: the caller applies the RFC 2045 §5.2 default.
std::optional<ContentType> parse_content_type(std::string_view raw);

// RFC 2183 §2 "disposition-type *(; parameter)"; nullopt when empty.
std::optional<ContentDisposition> parse_content_disposition(std::string_view raw);

// RFC 3282 §2: comma-separated language tags (comments skipped).
std::vector<std::string> parse_content_language(std::string_view raw);

// Parameter list "; a=b; c=d" per RFC 2045 §5.1 with RFC 2231 joining.
Params parse_params(std::string_view raw);

// First parameter named `name` (case-insensitive), also matching "name*".
const Param* find_param(const Params& params, std::string_view name);

}  // namespace postern::mime
