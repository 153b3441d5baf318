// Fuzzes the structured header field parsers of mime/ on their own, so the
// fuzzer steers them directly instead of through a whole message:
// Content-Type / Content-Disposition / Content-Language with RFC 2045
// parameters and RFC 2231 continuations and charsets, RFC 5322 address
// lists (groups, routes, obsolete forms), msg-id lists and RFC 5322 dates.
// Checks: no crash; type names and parameter names lower-cased; decoded
// parameter values valid UTF-8 and at most 256 parameters; group markers
// balanced and at most kMaxAddresses entries; every msg-id bracketed and at
// most 998 octets; parse_date and parse_zoned_date agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/strings.hpp"
#include "mime/address_list.hpp"
#include "mime/content_fields.hpp"
#include "mime/header.hpp"
#include "mime/msg_id.hpp"

namespace {

using namespace postern;
using namespace postern::mime;

bool lower(std::string_view s) { return to_lower_ascii(s) == s; }

void check_params(const Params& params) {
  if (params.size() > 256) std::abort();
  for (const auto& p : params) {
    if (p.name.empty() || !lower(p.name) || !is_valid_utf8(p.decoded)) std::abort();
    if (find_param(params, p.name) == nullptr) std::abort();
  }
}

void check_addresses(std::string_view input) {
  auto list = parse_address_list(input);
  if (list.size() > kMaxAddresses + 1) std::abort();  // a cut group may still get its end marker
  int depth = 0;
  for (const auto& a : list) {
    if (a.is_group_start()) {
      if (++depth > 1) std::abort();  // groups do not nest (RFC 5322 §3.4)
    } else if (a.is_group_end()) {
      if (--depth < 0) std::abort();
    } else if (!a.mailbox || !a.host) {
      std::abort();
    }
  }
  if (depth != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto ct = parse_content_type(input)) {
    if (ct->type.empty() || ct->subtype.empty() || !lower(ct->type) || !lower(ct->subtype)) std::abort();
    check_params(ct->params);
  }
  if (auto cd = parse_content_disposition(input)) {
    if (cd->type.empty() || !lower(cd->type)) std::abort();
    check_params(cd->params);
  }
  check_params(parse_params(input));
  for (const auto& tag : parse_content_language(input))
    if (tag.empty()) std::abort();

  check_addresses(input);

  auto ids = extract_msg_ids(input, 8);
  if (ids.size() > 8) std::abort();
  for (const auto& id : ids)
    if (id.size() < 3 || id.size() > 998 || id.front() != '<' || id.back() != '>') std::abort();
  auto first = first_msg_id(input);
  if (!first.empty() && (first.front() != '<' || first.back() != '>')) std::abort();

  auto date = parse_date(input);
  auto zoned = parse_zoned_date(input);
  if (date.has_value() != zoned.has_value() || (date && *date != zoned->unix_seconds)) std::abort();
  if (date && parse_date(format_date(*date)) != date) std::abort();
  return 0;
}
