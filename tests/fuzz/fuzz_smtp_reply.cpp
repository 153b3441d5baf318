// Fuzzes the outbound client's reply parser (smtp/client/reply_parser) and
// the client state machine that consumes its replies: arbitrary server
// bytes, fed in two pieces, must never crash, and every reply parsed must
// be well-formed (code 200..599, bounded line count).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smtp/client/capabilities.hpp"
#include "smtp/client/reply_parser.hpp"
#include "smtp/client/session.hpp"

using namespace postern::smtp::client;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t cut = size ? data[0] % (size + 1) : 0;
  ReplyParser p;
  p.feed(input.substr(0, cut));
  for (;;) {
    auto r = p.next();
    if (!r) break;
    if (r->code < 200 || r->code > 599 || r->lines.empty() || r->lines.size() > kMaxReplyLines) std::abort();
    (void)parse_ehlo(*r);
  }
  p.feed(input.substr(cut));
  while (auto r = p.next())
    if (r->code < 200 || r->code > 599) std::abort();

  ClientOptions o;
  o.tls = TlsPolicy::opportunistic;
  ClientSession s(o, {"a@example.org", {"b@example.com", "c@example.com"}, true, false}, "x\r\n.\r\n");
  s.receive(input.substr(0, cut));
  if (s.wants_tls()) s.tls_established();
  s.receive(input.substr(cut));
  s.connection_lost("eof");
  if (!s.done()) std::abort();
  for (const auto& r : s.results())
    if (r.status == RecipientStatus::pending) std::abort();
  return 0;
}
