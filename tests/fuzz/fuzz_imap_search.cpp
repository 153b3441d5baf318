// Fuzzes the search evaluator, base subjects and threading on untrusted
// input: the first line is a search program ("SEARCH" arguments), the rest
// a message. Parsing the program, evaluating it against the message (its
// structure cached and not, read whole and as a header prefix), the base
// subject of every line and REFERENCES/ORDEREDSUBJECT threading of the
// lines as References fields must not crash; a match must not depend on
// whether the structure came from the cache or from parsing the blob.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/parse_tree.hpp"
#include "imap/proto/search_args.hpp"
#include "imap/search/base_subject.hpp"
#include "imap/search/evaluator.hpp"
#include "imap/search/thread.hpp"
#include "mime/message_structure.hpp"
#include "mime/structure_codec.hpp"

namespace {

using namespace postern;

struct OneBlob final : imap::BlobReader {
  std::string_view content;
  Result<std::string> read(const std::string&, uint64_t max_bytes) override {
    return std::string(max_bytes ? content.substr(0, max_bytes) : content);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view program = in.substr(0, nl == std::string_view::npos ? in.size() : nl);
  std::string_view message = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);

  auto cmd = imap::parse_command("t SEARCH " + std::string(program));
  if (cmd) {
    auto args = imap::parse_search(cmd->args);
    if (args) {
      auto prepared = imap::prepare_search(std::move(args->program.key), 7, 40);
      OneBlob blob;
      blob.content = message;
      store::MessageData md;
      md.message_id = 1;
      md.blob_hash = "x";
      md.size = static_cast<int64_t>(message.size());
      md.internal_date = 1700000000;
      std::string flags = "\\Seen $Junk";
      std::vector<uint32_t> saved = {3, 9};
      imap::SearchContext ctx{.exists = 7, .max_uid = 40, .saved = saved, .now = 1700003600, .object_id = {}};
      imap::MessageFacts facts{3, 9, 5, 1, flags};
      md.structure = mime::encode_structure(mime::parse_message_structure(message));
      imap::MessageContent cached(md, blob);
      bool a = imap::match_message(prepared.key, facts, cached, ctx);
      md.structure.clear();
      imap::MessageContent parsed(md, blob);
      bool b = imap::match_message(prepared.key, facts, parsed, ctx);
      if (a != b) std::abort();
      auto row = imap::match_row(prepared.key, facts, ctx);
      if (row != imap::Verdict::unknown && (row == imap::Verdict::yes) != a) std::abort();
    }
  }

  std::vector<imap::ThreadMessage> msgs;
  size_t pos = 0;
  uint32_t seq = 0;
  while (pos < message.size() && msgs.size() < 200) {
    size_t end = message.find('\n', pos);
    std::string_view line = message.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    auto base = imap::base_subject(line);
    imap::ThreadMessage t;
    t.seq = t.number = ++seq;
    t.sent = static_cast<int64_t>(line.size() % 5);
    t.base_subject = base.text;
    t.reply_or_forward = base.reply_or_forward;
    auto ids = imap::parse_msg_ids(line);
    if (!ids.empty()) t.message_id = ids.back();
    if (ids.size() > 1) t.references.assign(ids.begin(), ids.end() - 1);
    msgs.push_back(std::move(t));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  auto refs = imap::render_threads(imap::thread_references(msgs));
  auto ordered = imap::render_threads(imap::thread_orderedsubject(msgs));
  // Every message appears exactly once in either threading.
  for (const auto* s : {&refs, &ordered}) {
    size_t numbers = 0;
    for (size_t i = 0; i < s->size(); ++i)
      if (isdigit(static_cast<unsigned char>((*s)[i])) && (i == 0 || !isdigit(static_cast<unsigned char>((*s)[i - 1]))))
        ++numbers;
    if (numbers != msgs.size()) std::abort();
  }
  return 0;
}
