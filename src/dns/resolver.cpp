// MX and address lookups on libunbound; see resolver.hpp.
#include "dns/resolver.hpp"

#include <arpa/inet.h>
#include <unbound.h>

#include <algorithm>

namespace postern::dns {

namespace {

constexpr int kTypeA = 1;
constexpr int kTypeMx = 15;
constexpr int kTypeAaaa = 28;
constexpr int kClassIn = 1;
constexpr int kRcodeNxdomain = 3;
constexpr uint32_t kMaxCacheSeconds = 300;
constexpr size_t kMaxCacheEntries = 10000;

// Looks `key` up in `cache`, or computes it with `resolve(ttl)` and keeps
// it for ttl seconds unless it is a temporary failure.
template <class T, class Cache, class Resolve>
T cached(std::mutex& mu, Cache& cache, const std::string& key, Resolve resolve) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it != cache.end() && it->second.expires > now) return it->second.value;
  }
  uint32_t ttl = kMaxCacheSeconds;
  T value = resolve(ttl);
  if (value.status != LookupStatus::temporary && ttl > 0) {
    std::lock_guard lock(mu);
    if (cache.size() >= kMaxCacheEntries) cache.clear();  // crude, and rare: one domain per entry
    cache[key] = {now + std::chrono::seconds(std::min(ttl, kMaxCacheSeconds)), value};
  }
  return value;
}

// A host name label octet (RFC 952/1123 letters, digits, '-'; '_' too,
// harmless and seen in the wild).
bool host_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// RFC 1035 §3.1 wire-format name, uncompressed; "" for the root. A label
// may hold any octet on the wire, but an MX target must be a host name
// (RFC 5321 §2.3.5), and the name goes into logs, SMTP session errors and
// DSN texts: a label with '.', CR, LF or other octets is refused (found by
// fuzz_dns_mx: "a\r\nb" came out as a host name with a line break).
bool read_name(std::string_view data, size_t& pos, std::string& out) {
  out.clear();
  for (int labels = 0; labels < 128; ++labels) {
    if (pos >= data.size()) return false;
    auto len = static_cast<unsigned char>(data[pos++]);
    if (len == 0) return true;
    if (len > 63 || pos + len > data.size()) return false;  // compression pointers are not expected here
    std::string_view label = data.substr(pos, len);
    for (char c : label)
      if (!host_label_char(c)) return false;
    if (!out.empty()) out.push_back('.');
    out.append(label);
    pos += len;
  }
  return false;
}

struct UbResult {
  ub_result* r = nullptr;
  ~UbResult() {
    if (r) ub_resolve_free(r);
  }
};

}  // namespace

bool parse_mx_rdata(std::string_view rdata, MxHost& out) {
  if (rdata.size() < 3) return false;
  out.preference = static_cast<uint16_t>((static_cast<unsigned char>(rdata[0]) << 8) | static_cast<unsigned char>(rdata[1]));
  size_t pos = 2;
  if (!read_name(rdata, pos, out.host)) return false;
  for (char& c : out.host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return pos == rdata.size();
}

MxLookup finish_mx(std::vector<MxHost> hosts) {
  MxLookup out;
  if (hosts.size() == 1 && hosts[0].host.empty() && hosts[0].preference == 0) {
    out.status = LookupStatus::no_mail;
    out.error = "the domain accepts no mail (null MX, RFC 7505)";
    return out;
  }
  hosts.erase(std::remove_if(hosts.begin(), hosts.end(), [](const MxHost& h) { return h.host.empty(); }), hosts.end());
  if (hosts.empty()) {
    out.status = LookupStatus::no_mail;
    out.error = "the domain accepts no mail (null MX, RFC 7505)";
    return out;
  }
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
  out.status = LookupStatus::ok;
  out.hosts = std::move(hosts);
  return out;
}

Result<std::unique_ptr<Resolver>> Resolver::create(const std::string& forwarder) {
  ub_ctx* ctx = ub_ctx_create();
  if (!ctx) return internal_error("ub_ctx_create failed");
  std::unique_ptr<Resolver> r(new Resolver(ctx));
  if (forwarder.empty()) {
    if (int e = ub_ctx_resolvconf(ctx, nullptr); e != 0)
      return temporary_error(std::string("reading /etc/resolv.conf: ") + ub_strerror(e));
    (void)ub_ctx_hosts(ctx, nullptr);
  } else {
    // A forwarder on loopback is the point of this option (tests, a local
    // caching resolver); unbound refuses localhost unless told otherwise.
    (void)ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
    if (int e = ub_ctx_set_fwd(ctx, forwarder.c_str()); e != 0)
      return user_error("queue.resolver \"" + forwarder + "\": " + ub_strerror(e));
  }
  return r;
}

Resolver::~Resolver() { ub_ctx_delete(ctx_); }

MxLookup Resolver::lookup_mx(const std::string& domain) {
  return cached<MxLookup>(cache_mu_, mx_cache_, domain, [&](uint32_t& ttl) { return resolve_mx(domain, ttl); });
}

AddressLookup Resolver::lookup_addresses(const std::string& host) {
  return cached<AddressLookup>(cache_mu_, address_cache_, host,
                               [&](uint32_t& ttl) { return resolve_addresses(host, ttl); });
}

MxLookup Resolver::resolve_mx(const std::string& domain, uint32_t& ttl) {
  MxLookup out;
  UbResult res;
  if (int e = ub_resolve(ctx_, domain.c_str(), kTypeMx, kClassIn, &res.r); e != 0) {
    out.error = std::string("DNS lookup failed: ") + ub_strerror(e);
    return out;
  }
  ttl = std::min(ttl, static_cast<uint32_t>(std::max(0, res.r->ttl)));
  if (res.r->rcode == kRcodeNxdomain) {
    out.status = LookupStatus::no_domain;
    out.error = "domain " + domain + " does not exist (NXDOMAIN)";
    return out;
  }
  if (res.r->rcode != 0) {
    out.error = "DNS server failure for " + domain + " MX (rcode " + std::to_string(res.r->rcode) + ")";
    return out;
  }
  if (res.r->havedata) {
    std::vector<MxHost> hosts;
    for (int i = 0; res.r->data[i]; ++i) {
      MxHost h;
      if (parse_mx_rdata(std::string_view(res.r->data[i], static_cast<size_t>(res.r->len[i])), h))
        hosts.push_back(std::move(h));
    }
    if (!hosts.empty()) return finish_mx(std::move(hosts));
  }
  // RFC 5321 §5.1: no MX records -> the domain itself is the implicit MX,
  // if it has an address.
  auto addrs = resolve_addresses(domain, ttl);
  if (addrs.status != LookupStatus::ok) {
    out.status = addrs.status;
    out.error = addrs.status == LookupStatus::temporary ? addrs.error : "domain " + domain + " has no MX and no address";
    if (addrs.status != LookupStatus::temporary) out.status = LookupStatus::no_domain;
    return out;
  }
  out.status = LookupStatus::ok;
  out.hosts.push_back({0, domain});
  return out;
}

AddressLookup Resolver::resolve_addresses(const std::string& host, uint32_t& ttl) {
  AddressLookup out;
  bool nxdomain = false;
  std::string failure;
  for (int type : {kTypeAaaa, kTypeA}) {
    UbResult res;
    if (int e = ub_resolve(ctx_, host.c_str(), type, kClassIn, &res.r); e != 0) {
      failure = std::string("DNS lookup failed: ") + ub_strerror(e);
      continue;
    }
    ttl = std::min(ttl, static_cast<uint32_t>(std::max(0, res.r->ttl)));
    if (res.r->rcode == kRcodeNxdomain) {
      nxdomain = true;
      continue;
    }
    if (res.r->rcode != 0) {
      failure = "DNS server failure for " + host + " (rcode " + std::to_string(res.r->rcode) + ")";
      continue;
    }
    if (!res.r->havedata) continue;
    for (int i = 0; res.r->data[i]; ++i) {
      char text[INET6_ADDRSTRLEN] = {};
      int family = type == kTypeA ? AF_INET : AF_INET6;
      size_t want = type == kTypeA ? 4 : 16;
      if (static_cast<size_t>(res.r->len[i]) != want) continue;
      if (inet_ntop(family, res.r->data[i], text, sizeof text)) out.addresses.push_back(text);
    }
  }
  if (!out.addresses.empty()) out.status = LookupStatus::ok;
  else if (!failure.empty()) {
    out.status = LookupStatus::temporary;
    out.error = failure;
  } else {
    out.status = LookupStatus::no_domain;
    out.error = nxdomain ? "host " + host + " does not exist" : "host " + host + " has no address";
  }
  return out;
}

}  // namespace postern::dns
