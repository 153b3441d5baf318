// STATUS item parsing (RFC 9051 §6.3.11, §9 status-att).
#include "imap/proto/status_args.hpp"

#include <algorithm>
#include <array>

namespace postern::imap {
namespace {

constexpr std::array<StatusItem, 10> kAll = {
    StatusItem::messages, StatusItem::uidnext, StatusItem::uidvalidity, StatusItem::unseen,
    StatusItem::deleted, StatusItem::size, StatusItem::recent, StatusItem::highestmodseq,
    StatusItem::mailboxid, StatusItem::appendlimit,
};

}  // namespace

std::string_view status_item_name(StatusItem item) {
  switch (item) {
    case StatusItem::messages: return "MESSAGES";
    case StatusItem::uidnext: return "UIDNEXT";
    case StatusItem::uidvalidity: return "UIDVALIDITY";
    case StatusItem::unseen: return "UNSEEN";
    case StatusItem::deleted: return "DELETED";
    case StatusItem::size: return "SIZE";
    case StatusItem::recent: return "RECENT";
    case StatusItem::highestmodseq: return "HIGHESTMODSEQ";
    case StatusItem::mailboxid: return "MAILBOXID";
    case StatusItem::appendlimit: return "APPENDLIMIT";
  }
  return "?";
}

Result<std::vector<StatusItem>> parse_status_items(const Node& list) {
  if (list.kind != NodeKind::list || list.children.empty()) return syntax_error("expected a list of status items");
  std::vector<StatusItem> items;
  for (const auto& n : list.children) {
    auto it = std::find_if(kAll.begin(), kAll.end(), [&](StatusItem s) { return is_word(n, status_item_name(s)); });
    if (it == kAll.end() || n.kind != NodeKind::atom) return syntax_error("unknown status item");
    if (std::find(items.begin(), items.end(), *it) == items.end()) items.push_back(*it);
  }
  return items;
}

Result<StatusArgs> parse_status(std::span<const Node> args) {
  if (args.size() != 2) return syntax_error("STATUS needs a mailbox and a list of items");
  auto name = as_astring(args[0]);
  if (!name) return syntax_error("invalid mailbox name");
  auto items = parse_status_items(args[1]);
  if (!items) return items.error();
  return StatusArgs{std::string(*name), std::move(*items)};
}

}  // namespace postern::imap
