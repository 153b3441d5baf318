// Fuzzes the header-section parser, unfolding and the RFC 5322 date parser:
// arbitrary bytes must never crash, and every field must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mime/header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto h = postern::mime::parse_header_section(input);
  if (h.body_offset > input.size()) std::abort();
  for (const auto& f : h.fields) {
    if (f.name.data() < input.data() || f.value.data() + f.value.size() > input.data() + input.size()) std::abort();
    (void)postern::mime::unfold(f.value);
  }
  (void)postern::mime::parse_date(input);
  return 0;
}
