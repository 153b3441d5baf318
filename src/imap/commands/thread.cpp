// THREAD and UID THREAD (RFC 5256 §3: ORDEREDSUBJECT and REFERENCES). The
// thread data (base subject, sent date, Message-ID, References or
// In-Reply-To) is gathered on the worker pool with the search: the cached
// envelope gives most of it, REFERENCES also reads each match's header
// section for its References field.
#include <memory>

#include "imap/commands/command_table.hpp"
#include "imap/commands/search_run.hpp"
#include "imap/search/base_subject.hpp"
#include "imap/search/thread.hpp"
#include "mime/header.hpp"

namespace postern::imap {

namespace {

ThreadMessage thread_message(uint32_t seq, uint32_t number, bool references, MessageContent& content) {
  const auto& st = content.structure();
  ThreadMessage t;
  t.seq = seq;
  t.number = number;
  t.sent = st.sort.date.value_or(content.data().internal_date);  // RFC 5256 §2.2
  auto base = base_subject(st.sort.subject);
  t.base_subject = std::move(base.text);
  t.reply_or_forward = base.reply_or_forward;
  if (!references) return t;
  if (st.envelope.message_id) {
    auto ids = parse_msg_ids(*st.envelope.message_id);
    if (!ids.empty()) t.message_id = std::move(ids.front());
  }
  // RFC 5256 §3 REFERENCES step 1: the References ids, else the first
  // valid id of In-Reply-To.
  auto header = mime::parse_header_section(content.header());
  if (const auto* f = mime::find_field(header, "References")) t.references = parse_msg_ids(f->value);
  if (t.references.empty() && st.envelope.in_reply_to) {
    auto ids = parse_msg_ids(*st.envelope.in_reply_to);
    if (!ids.empty()) t.references.push_back(std::move(ids.front()));
  }
  return t;
}

}  // namespace

Task<void> cmd_thread(SessionContext& s, Command& c) {
  auto args = parse_thread(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  if (args->algorithm == ThreadAlgorithm::refs) {
    // Not advertised: only ORDEREDSUBJECT and REFERENCES are (RFC 5256 §3
    // leaves other algorithms to their own capabilities).
    s.bad(c.tag, "THREAD=REFS is not supported");
    co_return;
  }
  const bool references = args->algorithm == ThreadAlgorithm::references;
  const bool uid = c.uid;
  auto messages = std::make_shared<std::vector<ThreadMessage>>(s.selected->exists());
  MatchCollector collect = [messages, uid, references](uint32_t seq, const MessageFacts& f, MessageContent& content) {
    (*messages)[seq - 1] = thread_message(seq, uid ? f.uid : seq, references, content);
  };
  auto matches = co_await run_search(s, c.tag, std::move(args->program), std::move(collect));
  if (!s.selected || !matches) co_return;
  std::vector<ThreadMessage> input;
  input.reserve(matches->seqs.size());
  for (uint32_t seq : matches->seqs) input.push_back(std::move((*messages)[seq - 1]));
  ThreadForest forest = references ? thread_references(input) : thread_orderedsubject(input);
  auto r = s.untagged();
  r.atom("THREAD");
  std::string data = render_threads(forest);
  if (!data.empty()) r.raw(data);
  r.end();
  s.ok(c.tag, "THREAD completed");
}

}  // namespace postern::imap
