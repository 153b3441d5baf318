// IP addresses and networks as the guard sees them, without a network
// library: parsing "192.0.2.7", "2001:db8::1", "10.0.0.0/8", "2001:db8::/32",
// membership, and the key an address is counted under (IPv4: the address;
// IPv6: its /64, because one host usually owns a whole /64 and would
// otherwise step around a ban by changing its low bits).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::guard {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
  static std::optional<IpAddress> parse(std::string_view text);
  std::string str() const;
};

struct IpNetwork {
  IpAddress base;
  unsigned prefix = 0;
  // "ADDR" (a single host) or "ADDR/PREFIX"; an IPv4-mapped IPv6 address is
  // not special. nullopt when malformed or the prefix is out of range.
  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string str() const;  // canonical: host bits cleared, "/prefix" always
};

bool in_any(const std::vector<IpNetwork>& networks, const IpAddress& a);

// What offenses and bans are counted under: "192.0.2.7" or "2001:db8:1:2::/64".
// Falls back to the text itself when it is not an address.
std::string source_key(std::string_view ip);

}  // namespace postern::guard
