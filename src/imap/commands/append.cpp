// APPEND (RFC 9051 §6.3.12) and MULTIAPPEND (RFC 3502): one or more
// messages stored all or nothing, with APPENDUID (RFC 4315 §3). The message
// octets come from the command's literals; the store answers only after
// they are durable (DESIGN.md durability contract).
#include <ctime>

#include "imap/commands/command_table.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/mutf7.hpp"

namespace postern::imap {

namespace {
constexpr size_t kMaxMessagesPerAppend = 1000;
}

Task<void> cmd_append(SessionContext& s, Command& c) {
  auto args = parse_append(c.args, kMaxMessagesPerAppend);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  // RFC 9051 §6.3.12: TRYCREATE tells the client CREATE would help.
  auto dest = co_await require_mailbox(s, c.tag, args->mailbox, "TRYCREATE");
  if (!dest) co_return;
  std::vector<AppendRequest> requests;
  for (size_t i = 0; i < args->messages.size(); ++i) {
    const auto& msg = args->messages[i];
    std::string which = args->messages.size() > 1 ? " (message " + std::to_string(i + 1) + ")" : "";
    if (msg.data.empty()) {
      s.no(c.tag, "Empty message" + which, "CANNOT");
      co_return;
    }
    if (msg.data.find('\0') != std::string_view::npos) {
      // Stored messages are served as IMAP literals, which cannot carry NUL
      // (RFC 9051 §4.3); such content must be sent MIME-encoded.
      s.no(c.tag, "Message contains NUL octets" + which + "; encode it (base64) first", "CANNOT");
      co_return;
    }
    AppendRequest req;
    req.content = std::string(msg.data);
    req.flags = msg.flags;
    req.internal_date =
        msg.internal_date ? to_unix_seconds(*msg.internal_date) : static_cast<int64_t>(std::time(nullptr));
    requests.push_back(std::move(req));
  }
  int64_t total = 0;
  for (const auto& req : requests) total += static_cast<int64_t>(req.content.size());
  auto room = co_await check_quota(s, total);
  if (!room) {
    s.fail(c.tag, room.error(), "OVERQUOTA");  // RFC 9208 §4.5 / RFC 5530
    co_return;
  }
  auto r = co_await s.access.append(s.account(), dest->name, std::move(requests));
  if (!r) {
    s.fail(c.tag, r.error(), "TRYCREATE");
    co_return;
  }
  std::vector<uint32_t> uids;
  for (const auto& receipt : *r)
    for (const auto& copy : receipt.copies) uids.push_back(copy.uid);
  if (uids.empty()) {
    s.ok(c.tag, "APPEND completed");
  } else {
    // RFC 4315 §3: the UIDs in the order the messages were sent; they are
    // allocated in that order, so ascending and writable as ranges.
    s.ok(c.tag, "APPEND completed", "APPENDUID", std::to_string(dest->uidvalidity) + " " + format_number_set(uids));
  }
  // An APPEND to the selected mailbox is announced by the EXISTS that the
  // session sends after this command (the store's notification marks it dirty).
  if (s.selected && s.selected->id == dest->id) s.dirty = true;
}

}  // namespace postern::imap
