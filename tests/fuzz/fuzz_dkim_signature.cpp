// Fuzzes the DKIM parsers that read untrusted input: the RFC 6376 §3.2
// tag-list parser, DKIM-Signature tag semantics (§3.5) and key records
// (§3.6.1); then runs the whole verifier over the input as a message, with a
// fixed key answer, to reach canonicalization and hashing; and the admin
// side: selectors (`postern dkim`) and the TXT record splitting of the
// zone line it prints. Checks the parsers' documented guarantees; a valid
// selector is lower case and valid again; TXT strings are at most 255
// octets and join back to the record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/strings.hpp"
#include "mailauth/canonicalization.hpp"
#include "mailauth/dkim_verify.hpp"
#include "mailauth/key_record.hpp"
#include "mailauth/key_store.hpp"
#include "mailauth/tag_list.hpp"

namespace {

using namespace postern;
using namespace postern::mailauth;

void check_tags(std::string_view input) {
  auto tags = parse_tag_list(input);
  if (!tags) {
    if (tags.error().kind != ErrorKind::syntax) std::abort();
    return;
  }
  if (tags->size() > kMaxTags) std::abort();
  for (size_t i = 0; i < tags->size(); ++i) {
    const Tag& t = (*tags)[i];
    if (t.name.empty() || t.value.find_first_of(";\r\n") != std::string::npos) std::abort();
    auto wsp = [](char c) { return c == ' ' || c == '\t'; };
    if (!t.value.empty() && (wsp(t.value.front()) || wsp(t.value.back()))) std::abort();
    for (size_t j = 0; j < i; ++j)
      if ((*tags)[j].name == t.name) std::abort();  // duplicates are errors
  }
}

void check_signature(std::string_view input) {
  auto sig = parse_dkim_signature(input);
  if (!sig) {
    if (sig.error().kind != ErrorKind::syntax || sig.error().message.empty()) std::abort();
    return;
  }
  bool has_from = false;
  for (const auto& h : sig->signed_headers) has_from = has_from || iequals(h, "from");
  if (!has_from || sig->domain.empty() || sig->selector.empty() || sig->signature.empty()) std::abort();
  if (sig->timestamp && sig->expiration && *sig->expiration <= *sig->timestamp) std::abort();
}

void check_key_record(std::string_view input) {
  auto rec = parse_key_record(input);
  if (rec && rec->services.empty() && input.find("s=") == std::string_view::npos) std::abort();
}

void check_selector_and_txt(std::string_view input) {
  if (auto sel = parse_selector(input)) {
    if (sel->empty() || *sel != to_lower_ascii(*sel)) std::abort();
    auto again = parse_selector(*sel);
    if (!again || *again != *sel) std::abort();
  }
  auto strings = split_txt_strings(input);
  std::string joined;
  for (const auto& s : strings) {
    if (s.size() > 255) std::abort();
    joined += s;
  }
  if (joined != input) std::abort();
  (void)zone_txt_line("sel._domainkey.example.org", input);
}

void check_canonical_body(std::string_view input) {
  // Relaxed output never has WSP before CRLF nor two WSP in a row, and
  // canonicalization is idempotent.
  std::string relaxed = canonical_body(input, Canon::relaxed);
  if (relaxed.find(" \r\n") != std::string::npos || relaxed.find("  ") != std::string::npos) std::abort();
  if (canonical_body(relaxed, Canon::relaxed) != relaxed) std::abort();
  std::string simple = canonical_body(input, Canon::simple);
  if (simple.size() < 2 || !simple.ends_with("\r\n") || simple.ends_with("\r\n\r\n")) std::abort();
}

void check_verifier(std::string_view message) {
  static const std::string record = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
  auto results = verify_message(
      message, [](const std::string&) { return KeyLookup{KeyLookup::Status::found, {record}}; }, 0);
  if (results.size() > kMaxSignaturesVerified) std::abort();
  for (const auto& r : results)
    if (r.reason.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_tags(input);
  check_signature(input);
  check_key_record(input);
  check_selector_and_txt(input);
  check_canonical_body(input);
  check_verifier(input);
  return 0;
}
