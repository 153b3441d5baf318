// Fuzzes the outbound client's reply parser (smtp/client/reply_parser) and
// the client state machine that consumes its replies, with and without
// connection reuse: arbitrary server bytes, fed in two pieces, must never
// crash, every reply parsed must be well-formed (code 200..599, bounded
// line count), and a lost connection leaves no recipient undecided.
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
  // Inputs of odd length keep the connection (RSET after the transaction)
  // and, once it is idle, start a second message on it.
  o.reuse = size % 2 == 1;
  ClientSession s(o, {"a@example.org", {"b@example.com", "c@example.com"}, true, false}, "x\r\n.\r\n");
  s.receive(input.substr(0, cut));
  if (s.wants_tls()) s.tls_established();
  // The rest a few bytes at a time, starting the next message whenever the
  // session is idle (at most three on the connection).
  for (size_t at = cut; at < size; at += 7) {
    if (s.idle() && s.transactions() < 3) s.next_transaction({"", {"d@example.com"}, false, false}, "y\r\n");
    s.receive(input.substr(at, 7));
  }
  if (s.idle()) s.quit_idle();
  s.connection_lost("eof");
  if (!s.done()) std::abort();
  for (const auto& r : s.results())
    if (r.status == RecipientStatus::pending) std::abort();
  return 0;
}
