// LIST / LSUB argument parser (RFC 9051 §6.3.9, RFC 5258, RFC 6154, RFC 5819).
#include "imap/proto/list_args.hpp"

namespace postern::imap {
namespace {

constexpr size_t kMaxPatterns = 64;

}  // namespace

Result<ListArgs> parse_list(std::span<const Node> args) {
  ListArgs out;
  size_t i = 0;
  if (i < args.size() && args[i].kind == NodeKind::list) {
    out.extended = true;
    for (const auto& o : args[i].children) {
      if (is_word(o, "SUBSCRIBED")) out.selection |= kSelectSubscribed;
      else if (is_word(o, "REMOTE")) out.selection |= kSelectRemote;
      else if (is_word(o, "RECURSIVEMATCH")) out.selection |= kSelectRecursiveMatch;
      else if (is_word(o, "SPECIAL-USE")) out.selection |= kSelectSpecialUse;
      else return syntax_error("unknown LIST selection option");
    }
    // RFC 5258 §3.1: RECURSIVEMATCH needs another option; REMOTE does not count.
    if ((out.selection & kSelectRecursiveMatch) &&
        !(out.selection & (kSelectSubscribed | kSelectSpecialUse))) {
      return syntax_error("RECURSIVEMATCH needs another selection option");
    }
    ++i;
  }
  if (i + 2 > args.size()) return syntax_error("LIST needs a reference and a mailbox pattern");
  auto ref = as_astring(args[i]);
  if (!ref) return syntax_error("invalid LIST reference");
  out.reference = std::string(*ref);
  ++i;
  if (args[i].kind == NodeKind::list) {
    out.extended = true;
    if (args[i].children.empty()) return syntax_error("empty LIST pattern list");
    if (args[i].children.size() > kMaxPatterns) return syntax_error("too many LIST patterns");
    for (const auto& p : args[i].children) {
      auto s = as_list_mailbox(p);
      if (!s) return syntax_error("invalid LIST pattern");
      out.patterns.emplace_back(*s);
    }
  } else {
    auto s = as_list_mailbox(args[i]);
    if (!s) return syntax_error("invalid LIST pattern");
    out.patterns.emplace_back(*s);
  }
  ++i;
  if (i < args.size()) {
    if (!is_word(args[i], "RETURN") || i + 2 != args.size() || args[i + 1].kind != NodeKind::list) {
      return syntax_error("unexpected LIST argument (expected RETURN (options))");
    }
    out.extended = true;
    const auto& opts = args[i + 1].children;
    for (size_t j = 0; j < opts.size(); ++j) {
      const Node& o = opts[j];
      if (is_word(o, "SUBSCRIBED")) out.returns |= kReturnSubscribed;
      else if (is_word(o, "CHILDREN")) out.returns |= kReturnChildren;
      else if (is_word(o, "SPECIAL-USE")) out.returns |= kReturnSpecialUse;
      else if (is_word(o, "STATUS")) {
        if (j + 1 >= opts.size()) return syntax_error("STATUS needs a list of status items");
        auto items = parse_status_items(opts[++j]);
        if (!items) return items.error();
        out.returns |= kReturnStatus;
        out.status_items = std::move(*items);
      } else {
        return syntax_error("unknown LIST return option");
      }
    }
  }
  return out;
}

Result<ListArgs> parse_lsub(std::span<const Node> args) {
  if (args.size() != 2) return syntax_error("LSUB needs a reference and a mailbox pattern");
  ListArgs out;
  auto ref = as_astring(args[0]);
  auto pat = as_list_mailbox(args[1]);
  if (!ref) return syntax_error("invalid LSUB reference");
  if (!pat) return syntax_error("invalid LSUB pattern");
  out.reference = std::string(*ref);
  out.patterns.emplace_back(*pat);
  out.selection = kSelectSubscribed;
  return out;
}

}  // namespace postern::imap
