// The generic IMAP command parse tree (RFC 9051 §9 "command", RFC 3501 §9):
// tag, upper-cased command name with the UID prefix folded into a flag, and
// the arguments as a tree of nodes. Tokenizes untrusted input; knows nothing
// about what any particular command means (typed parsers live beside it:
// sequence_set, fetch_args, search_args, ...). Never touches the store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace postern::imap {

enum class NodeKind {
  atom,          // bare word; may carry brackets: BODY.PEEK[HEADER.FIELDS (A B)]<0.100>, \Seen, INBOX.*
  number,        // all digits, fits uint64 (RFC 9051 number64 is narrower: parsers check ranges)
  sequence_set,  // bare word of digits and ":,*$" with at least one non-digit: 1:3,5,7:*  *  $
  quoted,        // "..." with \" and \\ unescaped (RFC 9051 §4.3)
  literal,       // {n} / {n+} / ~{n} (RFC 9051 §4.3, RFC 7888, RFC 3516)
  nil,           // NIL (any case)
  list,          // ( ... )
};

struct Node {
  NodeKind kind = NodeKind::atom;
  std::string text;            // atom/number/sequence_set: as written; quoted: unescaped; literal: the octets
  uint64_t number = 0;         // kind == number
  bool binary = false;         // kind == literal: literal8 ~{n} (may contain NUL)
  std::vector<Node> children;  // kind == list

  bool is_string() const { return kind == NodeKind::quoted || kind == NodeKind::literal; }
};

struct Command {
  std::string tag;
  std::string name;  // upper-cased ASCII ("FETCH"); for "UID FETCH" name is "FETCH" and uid is true
  bool uid = false;
  std::vector<Node> args;
};

struct ParseLimits {
  size_t max_depth = 32;  // nesting of parenthesized lists; brackets in atoms do not count
};

// One literal's octets as the command reader collected them.
struct LiteralData {
  std::string octets;
  bool binary = false;  // announced as ~{n}
};

// Tokenizes one complete command: `lines` are its lines without CRLF; every
// line but the last ends with a literal announcement ({n}, {n+} or ~{n}) whose
// octets are literals[i] (so literals.size() == lines.size() - 1). Literal
// octets are moved out of `literals`. Errors are syntax errors whose message
// can follow "BAD"; on error `tag_out` (if given) receives the tag when one
// could be read, else "*".
Result<Command> parse_command(std::span<const std::string> lines, std::span<LiteralData> literals,
                              const ParseLimits& limits = {}, std::string* tag_out = nullptr);

// Convenience for tests and tools: `text` is a command without literals and
// without CRLF.
Result<Command> parse_command(std::string_view text, const ParseLimits& limits = {});

// RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">.
bool is_valid_tag(std::string_view tag);
// RFC 9051 §9 ATOM-CHAR (no atom-specials) / ASTRING-CHAR (ATOM-CHAR or "]").
bool is_atom_char(char c);
bool is_astring_char(char c);

// ---- Accessors used by the typed argument parsers -------------------------

// astring (RFC 9051 §9): an atom of ASTRING-CHARs, a number, a quoted string
// or a non-binary literal. nullopt for anything else (NIL, lists, atoms with
// wildcards or backslashes, literal8).
std::optional<std::string_view> as_astring(const Node& n);
// string (quoted or non-binary literal) only.
std::optional<std::string_view> as_string(const Node& n);
// list-mailbox (RFC 9051 §9): like astring but atoms may contain "%" and "*".
std::optional<std::string_view> as_list_mailbox(const Node& n);
// An atom (or number/sequence-set word) equal to `word`, ASCII case-insensitive.
bool is_word(const Node& n, std::string_view word);
// The upper-cased text of an atom, or nullopt if `n` is not an atom.
std::optional<std::string> atom_upper(const Node& n);
// A number in [0, max]; nullopt otherwise (also for number-looking atoms that overflow).
std::optional<uint64_t> as_number(const Node& n, uint64_t max = UINT64_MAX);

// A compact rendering for tests and debug logs: atoms as written, numbers
// as #5, sequence sets as seq:1:*, "quoted", {3}abc / ~{3}abc, NIL, (a b).
// Literal octets are rendered raw (do not log them in production).
std::string to_debug_string(const Node& n);
std::string to_debug_string(const Command& c);

// Human-readable name of a node kind, for error messages ("expected a list, got quoted").
std::string_view node_kind_name(NodeKind kind);

}  // namespace postern::imap
