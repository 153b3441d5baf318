// ENABLE (RFC 5161, RFC 9051 §6.3.1): IMAP4rev2, CONDSTORE (RFC 7162
// §3.1), QRESYNC (§3.2.3), UTF8=ACCEPT (RFC 9755). Other capabilities are ignored, as the RFC
// requires.
#include "imap/commands/command_table.hpp"
#include "imap/proto/session_args.hpp"

namespace postern::imap {

Task<void> cmd_enable(SessionContext& s, Command& c) {
  auto caps = parse_enable(c.args);
  if (!caps) {
    s.fail(c.tag, caps.error());
    co_return;
  }
  auto r = s.untagged();
  r.atom("ENABLED");
  // RFC 5161 §3.1: list only what this command newly enabled.
  for (const auto& cap : *caps) {
    bool* flag = nullptr;
    if (cap == "IMAP4REV2") flag = &s.rev2;
    else if (cap == "CONDSTORE") flag = &s.condstore;
    else if (cap == "QRESYNC") {
      flag = &s.qresync;
      s.condstore = true;  // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE
    }
    else if (cap == "UTF8=ACCEPT") flag = &s.utf8_accept;
    if (flag && !*flag) {
      *flag = true;
      r.atom(cap == "IMAP4REV2" ? "IMAP4rev2" : cap);
    }
  }
  r.end();
  s.ok(c.tag, "ENABLE completed");
}

}  // namespace postern::imap
