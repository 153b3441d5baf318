// SORT and UID SORT (RFC 5256 §3, DISPLAYFROM/DISPLAYTO of RFC 5957) and
// their ESORT form SORT RETURN (...) (RFC 5267 §3: ESEARCH in sort order).
// Sort keys come from the structure cached at delivery, read on the worker
// pool together with the search.
#include <algorithm>
#include <memory>

#include "imap/commands/command_table.hpp"
#include "imap/commands/search_run.hpp"
#include "imap/search/search_response.hpp"
#include "imap/search/sort.hpp"

namespace postern::imap {

namespace {

// ARRIVAL and SIZE come from the store row; every other key from the
// cached structure.
bool needs_structure(const std::vector<SortCriterion>& criteria) {
  return std::any_of(criteria.begin(), criteria.end(), [](const SortCriterion& c) {
    return c.key != SortKey::arrival && c.key != SortKey::size;
  });
}

}  // namespace

Task<void> cmd_sort(SessionContext& s, Command& c) {
  auto args = parse_sort(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  auto criteria = std::make_shared<const std::vector<SortCriterion>>(args->criteria);
  auto items = std::make_shared<std::vector<SortItem>>(s.selected->exists());
  const bool uid = c.uid;
  const bool structure = needs_structure(*criteria);
  MatchCollector collect = [criteria, items, uid, structure](uint32_t seq, const MessageFacts& f,
                                                              MessageContent& content) {
    static const mime::SortKeys kNone;
    const auto& keys = structure ? content.structure().sort : kNone;
    (*items)[seq - 1] = make_sort_item(seq, uid ? f.uid : seq, content.data().internal_date,
                                       static_cast<uint64_t>(content.data().size), keys, *criteria);
  };
  const bool save = (args->returns & kReturnSave) != 0;
  auto matches = co_await run_search(s, c.tag, std::move(args->program), std::move(collect));
  if (!s.selected) co_return;
  auto& box = *s.selected;
  if (!matches) {
    if (save) box.saved_uids.clear();  // RFC 5182 §2.1
    co_return;
  }
  std::vector<SortItem> sorted;
  sorted.reserve(matches->seqs.size());
  for (uint32_t seq : matches->seqs) sorted.push_back(std::move((*items)[seq - 1]));
  sort_items(sorted, *criteria);

  SearchResult r;
  for (const auto& it : sorted) {
    r.numbers.push_back(it.number);
    r.modseqs.push_back(box.rows[it.seq - 1].modseq);
  }
  if (save) {
    std::vector<uint32_t> uids;
    for (size_t i : saved_selection(args->returns, r)) uids.push_back(box.rows[sorted[i].seq - 1].uid);
    std::sort(uids.begin(), uids.end());
    box.saved_uids = std::move(uids);
  }
  if (!args->extended) {
    append_search_response(s.out, "SORT", r, matches->uses_modseq);
  } else if ((args->returns & ~kReturnSave) != 0) {
    append_esearch(s.out, c.tag, c.uid, args->returns, r, matches->uses_modseq);
  }
  s.ok(c.tag, "SORT completed");
}

}  // namespace postern::imap
