// DNS lookups for outbound delivery (RFC 5321 §5.1): MX records sorted by
// preference, the implicit MX (the domain's own A/AAAA) when there is none,
// null MX (RFC 7505) as a permanent "accepts no mail". Backed by libunbound;
// a forwarder address ("IP" or "IP@PORT") sends every query to one server,
// which is how tests point it at a DNS server on loopback.
// Calls block (they wait for the network): run them on worker threads,
// never on an event loop. Thread-safe.
//
// Answers are kept for their DNS TTL (at most 5 minutes; temporary failures
// are never kept): unbound caches too, but each of its blocking lookups sets
// up a fresh worker (sockets, event base), which cost more than the delivery
// itself when many messages go to one domain.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct ub_ctx;

namespace postern::dns {

struct MxHost {
  uint16_t preference = 0;
  std::string host;  // no trailing dot
};

enum class LookupStatus {
  ok,         // hosts/addresses found
  no_mail,    // null MX (RFC 7505 §3): the domain accepts no mail -> permanent
  no_domain,  // NXDOMAIN, or no MX and no address -> permanent
  temporary,  // SERVFAIL, timeout, network -> try later
};

struct MxLookup {
  LookupStatus status = LookupStatus::temporary;
  std::vector<MxHost> hosts;  // sorted by preference (ties keep DNS order); implicit MX has the domain itself
  std::string error;
};

struct AddressLookup {
  LookupStatus status = LookupStatus::temporary;
  std::vector<std::string> addresses;  // IPv6 first, then IPv4, as text
  std::string error;
};

// MX rdata (RFC 1035 §3.3.9: 16-bit preference + uncompressed domain name
// as libunbound returns it) -> MxHost; false when malformed.
bool parse_mx_rdata(std::string_view rdata, MxHost& out);
// Sorts by preference and applies RFC 7505 (a lone "." with preference 0
// means no mail; "." among others is ignored).
MxLookup finish_mx(std::vector<MxHost> hosts);

class Resolver {
 public:
  // `forwarder` empty: the system's /etc/resolv.conf and /etc/hosts.
  static Result<std::unique_ptr<Resolver>> create(const std::string& forwarder);
  ~Resolver();

  MxLookup lookup_mx(const std::string& domain);
  AddressLookup lookup_addresses(const std::string& host);

 private:
  explicit Resolver(ub_ctx* ctx) : ctx_(ctx) {}
  // Uncached lookups; `ttl` becomes the smallest TTL of the answers used.
  MxLookup resolve_mx(const std::string& domain, uint32_t& ttl);
  AddressLookup resolve_addresses(const std::string& host, uint32_t& ttl);

  template <class T>
  struct Cached {
    std::chrono::steady_clock::time_point expires;
    T value;
  };
  ub_ctx* ctx_;
  std::mutex cache_mu_;
  std::map<std::string, Cached<MxLookup>, std::less<>> mx_cache_;
  std::map<std::string, Cached<AddressLookup>, std::less<>> address_cache_;
};

}  // namespace postern::dns
