// Flag parsing (RFC 9051 §9 flag, flag-keyword, flag-extension).
#include "imap/proto/flags.hpp"

#include <array>

#include "core/strings.hpp"

namespace postern::imap {
namespace {

constexpr std::array<std::string_view, 5> kSystemFlags = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                                                          "\\Draft"};

}  // namespace

bool is_system_flag(std::string_view flag) {
  for (auto f : kSystemFlags) {
    if (f == flag) return true;
  }
  return false;
}

Result<std::string> parse_flag(std::string_view text) {
  if (text.empty()) return syntax_error("empty flag");
  if (text[0] == '\\') {
    for (auto f : kSystemFlags) {
      if (iequals(f, text)) return std::string(f);
    }
    if (iequals(text, "\\Recent")) return syntax_error("\\Recent cannot be set by the client");
    return syntax_error("unknown system flag " + std::string(text.substr(0, 64)));
  }
  if (text.size() > kMaxKeywordLength) return syntax_error("keyword too long");
  for (char c : text) {
    if (!is_atom_char(c)) return syntax_error("invalid character in keyword");
  }
  return std::string(text);
}

Result<std::vector<std::string>> parse_flag_list(const Node& list) {
  if (list.kind != NodeKind::list) return syntax_error("expected a parenthesized flag list");
  if (list.children.size() > kMaxFlagsPerCommand) return syntax_error("too many flags");
  std::vector<std::string> flags;
  for (const auto& n : list.children) {
    if (n.kind != NodeKind::atom) return syntax_error("invalid flag (expected an atom)");
    auto f = parse_flag(n.text);
    if (!f) return f.error();
    bool dup = false;
    for (const auto& have : flags) dup = dup || iequals(have, *f);
    if (!dup) flags.push_back(std::move(*f));
  }
  return flags;
}

}  // namespace postern::imap
