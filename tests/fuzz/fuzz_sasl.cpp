// Fuzz target: the SASL parsers (strict base64, PLAIN, SCRAM messages).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sasl/base64.hpp"
#include "sasl/plain.hpp"
#include "sasl/scram.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)postern::sasl::base64_decode(in);
  (void)postern::sasl::parse_plain(in);
  // Split the input in two messages of one exchange.
  size_t cut = in.find('\n');
  std::string_view first = in.substr(0, cut);
  std::string_view final = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  postern::sasl::ScramServer server("fixednonce");
  if (server.client_first(first).ok()) {
    server.server_first(std::nullopt);
    (void)server.client_final(final);
  }
  return 0;
}
