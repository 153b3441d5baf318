// Fuzzes the MX record reader (dns/resolver parse_mx_rdata: RFC 1035
// §3.3.9 rdata as libunbound hands it over, i.e. from any DNS server) and
// the MX ordering of RFC 5321 §5.1 / RFC 7505 (finish_mx). The input is a
// list of rdata blobs, each prefixed by its length octet. Checks: no crash;
// an accepted host name is a lower-case host name (letters, digits, '-'
// and '_' in dot-separated labels of 1..63 octets: it goes into logs,
// SMTP replies and DSN texts, so no control characters or dots inside a
// label), at most 128 labels; finish_mx keeps only named hosts, sorted by
// preference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "dns/resolver.hpp"

using namespace postern::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<MxHost> hosts;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t len = static_cast<unsigned char>(input[pos++]);
    std::string_view rdata = input.substr(pos, len);
    pos += rdata.size();
    MxHost h;
    if (!parse_mx_rdata(rdata, h)) continue;
    size_t label = 0, labels = 0;
    for (char c : h.host) {
      bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ldh && c != '.') std::abort();
      if (c == '.') {
        if (label == 0) std::abort();
        label = 0;
      } else if (++label == 1) {
        ++labels;
      }
      if (label > 63) std::abort();
    }
    if (labels > 128 || (!h.host.empty() && label == 0)) std::abort();
    hosts.push_back(std::move(h));
  }
  MxHost whole;
  (void)parse_mx_rdata(input, whole);
  auto mx = finish_mx(hosts);
  if (mx.status == LookupStatus::ok) {
    if (mx.hosts.empty()) std::abort();
    for (size_t i = 0; i < mx.hosts.size(); ++i)
      if (mx.hosts[i].host.empty() || (i > 0 && mx.hosts[i].preference < mx.hosts[i - 1].preference)) std::abort();
  } else if (mx.error.empty()) {
    std::abort();
  }
  return 0;
}
