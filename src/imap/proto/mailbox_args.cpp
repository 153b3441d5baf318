// Parsers for SELECT/EXAMINE, APPEND, COPY/MOVE, RENAME and one-mailbox
// commands (see mailbox_args.hpp for the RFCs).
#include "imap/proto/mailbox_args.hpp"

#include "imap/proto/flags.hpp"

namespace postern::imap {
namespace {

constexpr uint64_t kModSeqMax = 9223372036854775807ull;

Result<std::string> mailbox_arg(const Node& n) {
  auto s = as_astring(n);
  if (!s) return syntax_error("invalid mailbox name");
  return std::string(*s);
}

Result<SequenceSet> known_set(const Node& n) {
  SequenceLimits l;
  l.allow_star = false;  // RFC 7162 §3.2.5: "*" is not allowed
  l.allow_saved = false;
  return parse_sequence_set(n, l);
}

Result<QresyncParams> parse_qresync(const Node& list) {
  // RFC 7162 §3.2.5: "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
  if (list.kind != NodeKind::list) return syntax_error("QRESYNC needs a parenthesized list");
  const auto& c = list.children;
  if (c.size() < 2 || c.size() > 4) return syntax_error("invalid QRESYNC parameters");
  QresyncParams q;
  auto uv = as_number(c[0], UINT32_MAX);
  if (!uv || *uv == 0) return syntax_error("invalid QRESYNC UIDVALIDITY");
  q.uidvalidity = static_cast<uint32_t>(*uv);
  auto ms = as_number(c[1], kModSeqMax);
  if (!ms || *ms == 0) return syntax_error("invalid QRESYNC mod-sequence");
  q.modseq = *ms;
  size_t i = 2;
  if (i < c.size() && c[i].kind != NodeKind::list) {
    auto k = known_set(c[i]);
    if (!k) return k.error();
    q.known_uids = std::move(*k);
    ++i;
  }
  if (i < c.size()) {
    if (c[i].kind != NodeKind::list || c[i].children.size() != 2 || i + 1 != c.size()) {
      return syntax_error("invalid QRESYNC sequence match data");
    }
    auto seqs = known_set(c[i].children[0]);
    if (!seqs) return seqs.error();
    auto uids = known_set(c[i].children[1]);
    if (!uids) return uids.error();
    q.seq_match.emplace(std::move(*seqs), std::move(*uids));
  }
  return q;
}

}  // namespace

Result<SelectArgs> parse_select(std::span<const Node> args) {
  if (args.empty() || args.size() > 2) return syntax_error("SELECT needs a mailbox and optional parameters");
  SelectArgs out;
  auto name = mailbox_arg(args[0]);
  if (!name) return name.error();
  out.mailbox = std::move(*name);
  if (args.size() == 2) {
    // select-params (RFC 4466 §2.1)
    if (args[1].kind != NodeKind::list || args[1].children.empty()) return syntax_error("invalid SELECT parameters");
    const auto& p = args[1].children;
    for (size_t i = 0; i < p.size(); ++i) {
      if (is_word(p[i], "CONDSTORE")) {
        out.condstore = true;
      } else if (is_word(p[i], "QRESYNC")) {
        if (out.qresync || i + 1 >= p.size()) return syntax_error("invalid QRESYNC parameter");
        auto q = parse_qresync(p[++i]);
        if (!q) return q.error();
        out.qresync = std::move(*q);
      } else {
        return syntax_error("unknown SELECT parameter");
      }
    }
  }
  return out;
}

Result<AppendArgs> parse_append(std::span<const Node> args, size_t max_messages) {
  if (args.size() < 2) return syntax_error("APPEND needs a mailbox and a message literal");
  AppendArgs out;
  auto name = mailbox_arg(args[0]);
  if (!name) return name.error();
  out.mailbox = std::move(*name);
  size_t i = 1;
  while (i < args.size()) {
    AppendMessage m;
    if (args[i].kind == NodeKind::list) {
      auto flags = parse_flag_list(args[i]);
      if (!flags) return flags.error();
      m.flags = std::move(*flags);
      ++i;
    }
    if (i < args.size() && args[i].kind == NodeKind::quoted) {
      auto dt = parse_date_time(args[i].text);
      if (!dt) return dt.error();
      m.internal_date = *dt;
      ++i;
    }
    if (i >= args.size() || args[i].kind != NodeKind::literal) {
      return syntax_error("APPEND message must be a literal");
    }
    m.data = args[i].text;
    m.binary = args[i].binary;
    ++i;
    if (out.messages.size() >= max_messages) {
      return syntax_error(max_messages == 1 ? "more than one message needs MULTIAPPEND" : "too many messages in APPEND");
    }
    out.messages.push_back(std::move(m));
  }
  return out;
}

Result<CopyArgs> parse_copy(std::span<const Node> args) {
  if (args.size() != 2) return syntax_error("expected a sequence set and a mailbox");
  auto set = parse_sequence_set(args[0]);
  if (!set) return set.error();
  auto name = mailbox_arg(args[1]);
  if (!name) return name.error();
  return CopyArgs{std::move(*set), std::move(*name)};
}

Result<std::string> parse_single_mailbox(std::span<const Node> args) {
  if (args.size() != 1) return syntax_error("expected exactly one mailbox name");
  return mailbox_arg(args[0]);
}

Result<CreateArgs> parse_create(std::span<const Node> args) {
  if (args.empty() || args.size() > 2) return syntax_error("CREATE needs a mailbox name and optional (USE (...))");
  CreateArgs out;
  auto name = mailbox_arg(args[0]);
  if (!name) return name.error();
  out.mailbox = std::move(*name);
  if (args.size() == 1) return out;
  const auto& params = args[1];
  if (params.kind != NodeKind::list || params.children.size() != 2 || !is_word(params.children[0], "USE") ||
      params.children[1].kind != NodeKind::list)
    return syntax_error("unknown CREATE parameter (only USE (...) is supported)");
  for (const auto& a : params.children[1].children) {
    if (a.kind != NodeKind::atom || a.text.size() < 2 || a.text[0] != '\\')
      return syntax_error("invalid special-use attribute");
    out.use.push_back(a.text);
  }
  return out;
}

Result<std::pair<std::string, std::string>> parse_rename(std::span<const Node> args) {
  if (args.size() != 2) return syntax_error("RENAME needs an existing and a new mailbox name");
  auto from = mailbox_arg(args[0]);
  if (!from) return from.error();
  auto to = mailbox_arg(args[1]);
  if (!to) return to.error();
  return std::pair<std::string, std::string>(std::move(*from), std::move(*to));
}

}  // namespace postern::imap
