// EHLO keyword parsing for the outbound client; see capabilities.hpp.
#include "smtp/client/capabilities.hpp"

#include <charconv>
#include <string_view>

#include "core/strings.hpp"

namespace postern::smtp::client {

namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

Capabilities parse_ehlo(const ServerReply& reply) {
  Capabilities caps;
  caps.esmtp = true;
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    auto w = words(reply.lines[i]);
    if (w.empty()) continue;
    std::string keyword = to_upper_ascii(w[0]);
    if (keyword == "PIPELINING") {
      caps.pipelining = true;
    } else if (keyword == "SIZE") {
      caps.size = true;
      if (w.size() > 1) {
        uint64_t n = 0;
        auto [p, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), n);
        if (ec == std::errc() && p == w[1].data() + w[1].size()) caps.size_limit = n;
      }
    } else if (keyword == "8BITMIME") {
      caps.eight_bit_mime = true;
    } else if (keyword == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (keyword == "STARTTLS") {
      caps.starttls = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      caps.enhanced_status_codes = true;
    } else if (keyword == "AUTH") {
      for (size_t k = 1; k < w.size(); ++k) caps.auth.push_back(to_upper_ascii(w[k]));
    }
  }
  return caps;
}

}  // namespace postern::smtp::client
