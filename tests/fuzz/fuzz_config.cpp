// Fuzzes configuration loading: any text must produce a Config or an error
// message, never a crash or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto c = postern::parse_config(input, "fuzz.toml", "/tmp");
  if (!c.ok() && c.error().message.empty()) __builtin_trap();
  return 0;
}
