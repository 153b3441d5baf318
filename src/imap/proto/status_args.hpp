// STATUS arguments and status data items (RFC 9051 §6.3.11; SIZE and DELETED
// RFC 9051 / RFC 8438; HIGHESTMODSEQ RFC 7162 §3.1.6; MAILBOXID RFC 8474;
// APPENDLIMIT RFC 7889; RECENT for rev1). Also used by LIST RETURN (STATUS).
// Parses untrusted input.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {

enum class StatusItem {
  messages, uidnext, uidvalidity, unseen, deleted, size, recent, highestmodseq, mailboxid, appendlimit,
};

struct StatusArgs {
  std::string mailbox;  // wire form (see mutf7.hpp mailbox_from_wire)
  std::vector<StatusItem> items;  // duplicates removed, request order kept
};

// "(" status-att *(SP status-att) ")": at least one item.
Result<std::vector<StatusItem>> parse_status_items(const Node& list);

// `args` follow "STATUS": mailbox (items).
Result<StatusArgs> parse_status(std::span<const Node> args);

// The item's name in a STATUS response ("UIDNEXT").
std::string_view status_item_name(StatusItem item);

}  // namespace postern::imap
