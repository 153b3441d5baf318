// SEARCH and UID SEARCH (RFC 9051 §6.4.4) over the session's view. Keys
// evaluated: ALL, flags (ANSWERED DELETED DRAFT FLAGGED SEEN and their UN-
// forms, KEYWORD/UNKEYWORD, NEW/OLD/RECENT as rev1 defines them without
// \Recent), sequence and UID sets, LARGER/SMALLER, BEFORE/ON/SINCE on the
// internal date, NOT/OR/AND. Header and body keys, SENT*, MODSEQ, RETURN
// (ESEARCH) answer NO [CANNOT] until the search evaluator exists.
#include <algorithm>
#include <map>

#include "core/strings.hpp"
#include "imap/commands/command_table.hpp"
#include "imap/proto/datetime.hpp"
#include "imap/proto/search_args.hpp"
#include "store/flags.hpp"

namespace postern::imap {

namespace {

constexpr int64_t kDay = 86400;

// Checks the tree for unsupported keys; notes whether sizes/dates are needed.
bool supported(const SearchKey& k, bool& needs_data) {
  switch (k.kind) {
    case SearchKeyKind::all:
    case SearchKeyKind::sequence_set:
    case SearchKeyKind::uid:
    case SearchKeyKind::answered:
    case SearchKeyKind::deleted:
    case SearchKeyKind::draft:
    case SearchKeyKind::flagged:
    case SearchKeyKind::seen:
    case SearchKeyKind::recent:
    case SearchKeyKind::new_:
    case SearchKeyKind::old:
    case SearchKeyKind::unanswered:
    case SearchKeyKind::undeleted:
    case SearchKeyKind::undraft:
    case SearchKeyKind::unflagged:
    case SearchKeyKind::unseen:
    case SearchKeyKind::keyword:
    case SearchKeyKind::unkeyword: return true;
    case SearchKeyKind::larger:
    case SearchKeyKind::smaller:
    case SearchKeyKind::before:
    case SearchKeyKind::on:
    case SearchKeyKind::since: needs_data = true; return true;
    case SearchKeyKind::and_:
    case SearchKeyKind::or_:
    case SearchKeyKind::not_:
      for (const auto& ch : k.children)
        if (!supported(ch, needs_data)) return false;
      return true;
    default: return false;
  }
}

struct Candidate {
  uint32_t seq;
  const store::MessageRow* row;
  const store::MessageData* data;  // null unless needed
};

bool matches(const SearchKey& k, const Candidate& m, const SelectedMailbox& box) {
  auto flag = [&](std::string_view f) { return store::has_flag(m.row->flags, f); };
  switch (k.kind) {
    case SearchKeyKind::all: return true;
    case SearchKeyKind::and_:
      return std::all_of(k.children.begin(), k.children.end(), [&](const auto& c) { return matches(c, m, box); });
    case SearchKeyKind::or_: return matches(k.children.at(0), m, box) || matches(k.children.at(1), m, box);
    case SearchKeyKind::not_: return !matches(k.children.at(0), m, box);
    case SearchKeyKind::sequence_set: return k.set.contains(m.seq, box.exists());
    case SearchKeyKind::uid: return k.set.contains(m.row->uid, box.max_uid());
    case SearchKeyKind::answered: return flag("\\Answered");
    case SearchKeyKind::deleted: return flag("\\Deleted");
    case SearchKeyKind::draft: return flag("\\Draft");
    case SearchKeyKind::flagged: return flag("\\Flagged");
    case SearchKeyKind::seen: return flag("\\Seen");
    case SearchKeyKind::unanswered: return !flag("\\Answered");
    case SearchKeyKind::undeleted: return !flag("\\Deleted");
    case SearchKeyKind::undraft: return !flag("\\Draft");
    case SearchKeyKind::unflagged: return !flag("\\Flagged");
    case SearchKeyKind::unseen: return !flag("\\Seen");
    // RFC 3501 §6.4.4: \Recent is never set here (DESIGN.md), so RECENT and
    // NEW match nothing and OLD everything.
    case SearchKeyKind::recent:
    case SearchKeyKind::new_: return false;
    case SearchKeyKind::old: return true;
    case SearchKeyKind::keyword: return flag(k.text);
    case SearchKeyKind::unkeyword: return !flag(k.text);
    case SearchKeyKind::larger: return m.data && static_cast<uint64_t>(m.data->size) > k.number;
    case SearchKeyKind::smaller: return m.data && static_cast<uint64_t>(m.data->size) < k.number;
    // RFC 9051 §6.4.4: dates compare the internal date, disregarding time
    // (taken in UTC here).
    case SearchKeyKind::before: return m.data && m.data->internal_date < to_unix_seconds(k.date);
    case SearchKeyKind::on: {
      int64_t d = to_unix_seconds(k.date);
      return m.data && m.data->internal_date >= d && m.data->internal_date < d + kDay;
    }
    case SearchKeyKind::since: return m.data && m.data->internal_date >= to_unix_seconds(k.date);
    default: return false;
  }
}

}  // namespace

Task<void> cmd_search(SessionContext& s, Command& c) {
  auto args = parse_search(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  if (args->program.charset && !iequals(*args->program.charset, "UTF-8") &&
      !iequals(*args->program.charset, "US-ASCII")) {
    s.no(c.tag, "Unsupported charset", "BADCHARSET", "(UTF-8 US-ASCII)");  // RFC 9051 §6.4.4
    co_return;
  }
  if (args->extended) {
    s.no(c.tag, "SEARCH RETURN is not supported yet", "CANNOT");
    co_return;
  }
  bool needs_data = false;
  if (!supported(args->program.key, needs_data)) {
    s.no(c.tag, "search key not supported yet", "CANNOT");
    co_return;
  }
  auto& box = *s.selected;
  std::map<int64_t, store::MessageData> meta;
  if (needs_data && !box.rows.empty()) {
    std::vector<int64_t> ids;
    for (const auto& r : box.rows) ids.push_back(r.message_id);
    auto md = co_await s.access.message_data(s.account(), std::move(ids));
    if (!md) {
      s.fail(c.tag, md.error());
      co_return;
    }
    for (auto& m : *md) meta[m.message_id] = std::move(m);
  }
  auto r = s.untagged();
  r.atom("SEARCH");
  for (size_t i = 0; i < box.rows.size(); ++i) {
    const auto& row = box.rows[i];
    auto it = meta.find(row.message_id);
    Candidate cand{static_cast<uint32_t>(i + 1), &row, it == meta.end() ? nullptr : &it->second};
    if (matches(args->program.key, cand, box)) r.number(c.uid ? row.uid : cand.seq);
  }
  r.end();
  s.ok(c.tag, "SEARCH completed");
}

}  // namespace postern::imap
