// STORE argument parser (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
#include "imap/proto/store_args.hpp"

#include "core/strings.hpp"
#include "imap/proto/flags.hpp"

namespace postern::imap {

constexpr uint64_t kModSeqMax = 9223372036854775807ull;  // RFC 7162 §7: 63-bit

Result<StoreArgs> parse_store(std::span<const Node> args) {
  StoreArgs out;
  if (args.size() < 3) return syntax_error("STORE needs a sequence set, a data item and flags");
  auto set = parse_sequence_set(args[0]);
  if (!set) return set.error();
  out.set = std::move(*set);
  size_t i = 1;
  if (args[i].kind == NodeKind::list) {
    // store-modifiers: only UNCHANGEDSINCE is defined (RFC 7162 §3.1.3).
    const auto& mods = args[i].children;
    if (mods.size() != 2 || !is_word(mods[0], "UNCHANGEDSINCE")) return syntax_error("unknown STORE modifier");
    auto v = as_number(mods[1], kModSeqMax);
    if (!v) return syntax_error("invalid UNCHANGEDSINCE value");
    out.unchanged_since = *v;
    ++i;
  }
  if (i + 1 >= args.size()) return syntax_error("STORE needs a data item and flags");
  auto item = atom_upper(args[i]);
  if (!item) return syntax_error("invalid STORE data item");
  std::string_view name = *item;
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    out.mode = name[0] == '+' ? StoreMode::add : StoreMode::remove;
    name.remove_prefix(1);
  }
  if (name == "FLAGS.SILENT") out.silent = true;
  else if (name != "FLAGS") return syntax_error("invalid STORE data item (expected [+|-]FLAGS[.SILENT])");
  ++i;
  if (args[i].kind == NodeKind::list) {
    if (i + 1 != args.size()) return syntax_error("unexpected argument after the flag list");
    auto flags = parse_flag_list(args[i]);
    if (!flags) return flags.error();
    out.flags = std::move(*flags);
    return out;
  }
  // flag *(SP flag) without parentheses (RFC 9051 §9 store-att-flags).
  Node list;
  list.kind = NodeKind::list;
  list.children.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  auto flags = parse_flag_list(list);
  if (!flags) return flags.error();
  out.flags = std::move(*flags);
  return out;
}

}  // namespace postern::imap
