// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with every search key (see
// imap/search/evaluator.hpp), ESEARCH results (RFC 4731; RFC 9051 §7.3.4:
// always for IMAP4rev2 clients), RETURN (MIN MAX ALL COUNT SAVE), SEARCHRES
// (RFC 5182: the saved result is "$" for later commands) and the MODSEQ
// result of RFC 7162 §3.1.5.
#include "imap/commands/command_table.hpp"
#include "imap/commands/search_run.hpp"
#include "imap/search/search_response.hpp"

namespace postern::imap {

Task<void> cmd_search(SessionContext& s, Command& c) {
  auto args = parse_search(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  // RFC 9051 §6.4.4: an IMAP4rev2 client gets ESEARCH, SEARCH without
  // RETURN meaning RETURN (ALL).
  bool extended = args->extended || s.rev2;
  uint8_t returns = args->extended ? args->returns : uint8_t{kReturnAll};
  bool save = (returns & kReturnSave) != 0;
  auto matches = co_await run_search(s, c.tag, std::move(args->program), nullptr);
  if (!s.selected) co_return;
  auto& box = *s.selected;
  if (!matches) {
    // RFC 5182 §2.1: a SEARCH with SAVE that fails (NO) empties "$".
    if (save) box.saved_uids.clear();
    co_return;
  }
  SearchResult r;
  r.numbers.reserve(matches->seqs.size());
  r.modseqs.reserve(matches->seqs.size());
  for (uint32_t seq : matches->seqs) {
    const auto& row = box.rows[seq - 1];
    r.numbers.push_back(c.uid ? row.uid : seq);
    r.modseqs.push_back(row.modseq);
  }
  if (save) {
    std::vector<uint32_t> uids;
    for (size_t i : saved_selection(returns, r)) uids.push_back(box.rows[matches->seqs[i] - 1].uid);
    box.saved_uids = std::move(uids);  // ascending: matches are in sequence order
  }
  if (!extended) {
    append_search_response(s.out, "SEARCH", r, matches->uses_modseq);
  } else if ((returns & ~kReturnSave) != 0) {
    // RFC 5182 §2.1: RETURN (SAVE) alone answers no ESEARCH.
    append_esearch(s.out, c.tag, c.uid, returns, r, matches->uses_modseq);
  }
  s.ok(c.tag, "SEARCH completed");
}

}  // namespace postern::imap
