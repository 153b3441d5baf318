// The two evaluation phases of SEARCH / SORT / THREAD over the view.
#include "imap/commands/search_run.hpp"

#include <algorithm>
#include <ctime>
#include <memory>

#include "core/strings.hpp"
#include "imap/session/object_ids.hpp"

namespace postern::imap {

namespace {

// Everything the worker-side visits use, owned here so that it outlives
// the session if the session goes away during the scan.
struct ScanState {
  PreparedSearch search;
  SearchContext ctx;
  std::vector<uint32_t> saved;
  std::vector<store::MessageRow> rows;  // the candidates, copied from the view
  std::vector<uint32_t> seqs;           // their sequence numbers
  std::vector<uint8_t> known;           // 1: phase one already said yes
  std::vector<uint8_t> verdict;         // written by the visits, one slot each
  MatchCollector collect;
};

}  // namespace

bool search_charset_supported(const std::optional<std::string>& charset) {
  return !charset || iequals(*charset, "UTF-8") || iequals(*charset, "US-ASCII");
}

Task<std::optional<SearchMatches>> run_search(SessionContext& s, std::string tag, SearchProgram program,
                                              MatchCollector collect) {
  if (!search_charset_supported(program.charset)) {
    s.no(tag, "Unsupported charset", "BADCHARSET", "(UTF-8 US-ASCII)");  // RFC 9051 §6.4.4
    co_return std::nullopt;
  }
  auto& box = *s.selected;
  auto st = std::make_shared<ScanState>();
  st->search = prepare_search(std::move(program.key), box.exists(), box.max_uid());
  st->saved = box.saved_uids;
  st->ctx.exists = box.exists();
  st->ctx.max_uid = box.max_uid();
  st->ctx.saved = st->saved;
  st->ctx.now = static_cast<int64_t>(std::time(nullptr));
  st->ctx.object_id = [](const store::MessageData& d, SearchKeyKind kind) {
    return kind == SearchKeyKind::emailid ? email_object_id(d.blob_hash) : thread_object_id(d.thread_id);
  };
  st->collect = std::move(collect);
  SearchMatches out;
  out.uses_modseq = st->search.uses_modseq;
  if (out.uses_modseq) s.condstore = true;

  // Phase one, on the view.
  std::vector<int64_t> ids;
  for (size_t i = 0; i < box.rows.size(); ++i) {
    const auto& row = box.rows[i];
    auto seq = static_cast<uint32_t>(i + 1);
    MessageFacts f{seq, row.uid, row.modseq, row.message_id, row.flags};
    Verdict v = match_row(st->search.key, f, st->ctx);
    if (v == Verdict::no) continue;
    if (v == Verdict::yes && !st->collect) {
      out.seqs.push_back(seq);
      continue;
    }
    st->rows.push_back(row);
    st->seqs.push_back(seq);
    st->known.push_back(v == Verdict::yes ? 1 : 0);
    ids.push_back(row.message_id);
  }
  if (ids.empty()) co_return out;

  // Phase two, on the workers.
  st->verdict.assign(ids.size(), 0);
  MessageVisitor visit = [st](size_t i, const store::MessageData* data, BlobReader& blobs) {
    const auto& row = st->rows[i];
    MessageFacts f{st->seqs[i], row.uid, row.modseq, row.message_id, row.flags};
    if (!data && !st->known[i]) return;  // expunged meanwhile: it cannot be examined
    store::MessageData gone;
    gone.message_id = row.message_id;
    MessageContent content(data ? *data : gone, blobs);
    bool match = st->known[i] || match_message(st->search.key, f, content, st->ctx);
    st->verdict[i] = match ? 1 : 0;
    if (match && st->collect) st->collect(f.seq, f, content);
  };
  auto status = co_await s.access.scan_messages(s.account(), std::move(ids), std::move(visit));
  if (!status) {
    s.fail(tag, status.error());
    co_return std::nullopt;
  }
  for (size_t i = 0; i < st->verdict.size(); ++i)
    if (st->verdict[i]) out.seqs.push_back(st->seqs[i]);
  std::sort(out.seqs.begin(), out.seqs.end());
  co_return out;
}

}  // namespace postern::imap
