// Address parsing and matching; see network.hpp.
#include "guard/network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace postern::guard {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton reads a C string: "192.0.2.7\0junk" would parse as its
  // prefix (config strings may hold NUL; fuzz_network checks it).
  if (text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

namespace {

void clear_host_bits(IpAddress& a, unsigned prefix) {
  size_t len = a.v6 ? 16 : 4;
  for (size_t i = 0; i < len; ++i) {
    unsigned bit = static_cast<unsigned>(i) * 8;
    if (bit >= prefix) a.bytes[i] = 0;
    else if (prefix - bit < 8) a.bytes[i] &= static_cast<uint8_t>(0xff << (8 - (prefix - bit)));
  }
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned max = addr->v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty() || prefix > max) return std::nullopt;
  }
  IpNetwork n{*addr, prefix};
  clear_host_bits(n.base, prefix);
  return n;
}

bool IpNetwork::contains(const IpAddress& a) const {
  if (a.v6 != base.v6) return false;
  IpAddress masked = a;
  clear_host_bits(masked, prefix);
  return masked.bytes == base.bytes;
}

std::string IpNetwork::str() const { return base.str() + "/" + std::to_string(prefix); }

bool in_any(const std::vector<IpNetwork>& networks, const IpAddress& a) {
  for (const auto& n : networks)
    if (n.contains(a)) return true;
  return false;
}

std::string source_key(std::string_view ip) {
  auto a = IpAddress::parse(ip);
  if (!a) return std::string(ip);
  if (!a->v6) return a->str();
  IpNetwork n{*a, 64};
  clear_host_bits(n.base, 64);
  return n.str();
}

}  // namespace postern::guard
