// Fuzzes the mailbox and domain parsers (core/email_address) under every
// option combination. Checks the documented limits and that a parsed
// address parses again to itself (the canonical form is stable).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/email_address.hpp"
#include "core/strings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool utf8 : {true, false}) {
    for (bool literal : {true, false}) {
      AddressOptions options{.allow_utf8 = utf8, .allow_address_literal = literal};
      auto parsed = parse_email_address(input, options);
      if (!parsed) {
        if (parsed.error().kind != ErrorKind::syntax) std::abort();
        continue;
      }
      const EmailAddress& a = *parsed;
      if (a.local.empty() || a.local.size() > kMaxLocalPartOctets) std::abort();
      if (a.domain.empty() || a.domain.size() > kMaxDomainOctets) std::abort();
      if (!utf8 && a.needs_smtputf8()) std::abort();
      if (!is_valid_utf8(a.local) || !is_valid_utf8(a.domain)) std::abort();
      auto again = parse_email_address(a.str(), options);
      if (!again || !(*again == a)) std::abort();
    }
    auto domain = parse_domain(input, utf8);
    if (domain && (domain->empty() || domain->size() > kMaxDomainOctets)) std::abort();
  }
  return 0;
}
