// Fuzzes the guard's address and network parsers (guard/network: IPv4/IPv6
// addresses, "ADDR/PREFIX" networks from the config, `postern ban` and
// peer addresses) and ban durations (guard parse_duration, "10m", "2d").
// Checks: no crash; an accepted address or network prints in a form that
// parses back to the same value; a network contains its own base and
// nothing of the other family; source_key is stable; durations are
// positive and at most ten years; text with a NUL is never an address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "guard/guard.hpp"
#include "guard/network.hpp"

using namespace postern::guard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto a = IpAddress::parse(input);
  bool nul = input.find('\0') != std::string_view::npos;
  if (a) {
    if (nul) std::abort();
    auto again = IpAddress::parse(a->str());
    if (!again || again->v6 != a->v6 || again->bytes != a->bytes) std::abort();
  }
  auto n = IpNetwork::parse(input);
  if (n) {
    if (nul) std::abort();
    if (n->prefix > (n->base.v6 ? 128u : 32u) || !n->contains(n->base)) std::abort();
    auto again = IpNetwork::parse(n->str());
    if (!again || again->str() != n->str()) std::abort();
    IpAddress other;
    other.v6 = !n->base.v6;
    if (n->contains(other)) std::abort();
    if (a && !n->contains(*a)) std::abort();  // a single host contains itself
  }
  auto key = source_key(input);
  if (source_key(key) != key) std::abort();
  if (auto d = parse_duration(input); d && (*d <= 0 || *d > 10ll * 365 * 86400)) std::abort();
  return 0;
}
