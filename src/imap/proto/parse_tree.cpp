// Tokenizer for complete IMAP commands (RFC 9051 §4, §9): turns lines plus
// collected literal octets into a Command. Bare words may carry a bracketed
// part with spaces and parentheses inside, so section specs such as
// BODY[HEADER.FIELDS (FROM TO)]<0.2048> stay one atom for fetch_args to read.
#include "imap/proto/parse_tree.hpp"

#include <utility>

#include "core/strings.hpp"

namespace postern::imap {
namespace {

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Walks the lines of one command; a literal announcement at the end of line i
// is followed by literals[i], then parsing continues at the start of line i+1.
class Tokenizer {
 public:
  Tokenizer(std::span<const std::string> lines, std::span<LiteralData> literals, const ParseLimits& limits)
      : lines_(lines), literals_(literals), limits_(limits) {}

  Result<Command> run(std::string* tag_out) {
    if (tag_out) *tag_out = "*";
    if (lines_.empty() || lines_.size() != literals_.size() + 1) return syntax_error("malformed command framing");
    Command cmd;
    std::string_view first = line();
    size_t sp = first.find(' ');
    std::string_view tag = first.substr(0, sp);
    if (tag.empty()) return syntax_error(first.empty() ? "empty command line" : "command line starts with a space");
    if (!is_valid_tag(tag)) return syntax_error("invalid tag");
    cmd.tag = std::string(tag);
    if (tag_out) *tag_out = cmd.tag;
    for (const auto& l : lines_) {
      if (l.find('\0') != std::string::npos) return syntax_error("NUL octet in command line");
    }
    if (sp == std::string_view::npos) return syntax_error("missing command name");
    pos_ = sp + 1;
    auto name = read_command_name();
    if (!name) return name.error();
    cmd.name = std::move(*name);
    if (cmd.name == "UID") {
      if (!eat(' ')) return syntax_error("UID must be followed by a command name");
      auto inner = read_command_name();
      if (!inner) return inner.error();
      cmd.uid = true;
      cmd.name = std::move(*inner);
    }
    while (!at_command_end()) {
      if (!eat(' ')) return syntax_error("expected a space between arguments");
      // Tolerate trailing whitespace: several deployed clients send it.
      if (at_command_end()) break;
      auto node = parse_node(0);
      if (!node) return node.error();
      cmd.args.push_back(std::move(*node));
    }
    return cmd;
  }

 private:
  std::string_view line() const { return lines_[li_]; }
  bool at_line_end() const { return pos_ >= lines_[li_].size(); }
  bool at_command_end() const { return li_ + 1 == lines_.size() && at_line_end(); }
  char cur() const { return at_line_end() ? '\0' : lines_[li_][pos_]; }
  bool eat(char c) {
    if (cur() != c || at_line_end()) return false;
    ++pos_;
    return true;
  }

  Result<std::string> read_command_name() {
    size_t start = pos_;
    while (!at_line_end() && cur() != ' ') {
      char c = cur();
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.' || c == '_';
      if (!ok) return syntax_error("invalid command name");
      ++pos_;
    }
    if (pos_ == start) return syntax_error("missing command name");
    if (pos_ - start > 32) return syntax_error("command name too long");
    return to_upper_ascii(line().substr(start, pos_ - start));
  }

  Result<Node> parse_node(size_t depth) {
    if (at_line_end()) return syntax_error("missing argument");
    char c = cur();
    if (c == '(') return parse_list(depth + 1);
    if (c == ')') return syntax_error("unexpected ')'");
    if (c == '"') return parse_quoted();
    if (c == '{' || (c == '~' && pos_ + 1 < line().size() && line()[pos_ + 1] == '{')) return parse_literal();
    return parse_word();
  }

  Result<Node> parse_list(size_t depth) {
    if (depth > limits_.max_depth) {
      return syntax_error("parenthesized lists nested too deeply (max " + std::to_string(limits_.max_depth) + ")");
    }
    ++pos_;  // '('
    Node list;
    list.kind = NodeKind::list;
    if (eat(')')) return list;
    for (;;) {
      auto child = parse_node(depth);
      if (!child) return child.error();
      list.children.push_back(std::move(*child));
      if (eat(')')) return list;
      if (at_command_end()) return syntax_error("unterminated parenthesized list");
      if (!eat(' ')) return syntax_error("expected a space or ')' in a list");
    }
  }

  Result<Node> parse_quoted() {
    ++pos_;  // '"'
    Node n;
    n.kind = NodeKind::quoted;
    bool eight_bit = false;
    for (;;) {
      if (at_line_end()) return syntax_error("unterminated quoted string");
      char c = cur();
      ++pos_;
      if (c == '"') break;
      if (c == '\\') {
        if (at_line_end()) return syntax_error("unterminated quoted string");
        char e = cur();
        // RFC 9051 §9: quoted-specials = DQUOTE / "\" are the only escapes.
        if (e != '"' && e != '\\') return syntax_error("invalid escape in quoted string");
        ++pos_;
        n.text.push_back(e);
        continue;
      }
      auto u = static_cast<unsigned char>(c);
      if (u == '\r' || u == '\n') return syntax_error("CR or LF in quoted string");
      if (u >= 0x80) eight_bit = true;
      n.text.push_back(c);
    }
    // RFC 9051 §9 quoted-char allows UTF8-2..4 only: 8-bit text must be UTF-8.
    if (eight_bit && !is_valid_utf8(n.text)) return syntax_error("invalid UTF-8 in quoted string");
    return n;
  }

  Result<Node> parse_literal() {
    Node n;
    n.kind = NodeKind::literal;
    if (cur() == '~') {
      n.binary = true;
      ++pos_;
    }
    ++pos_;  // '{'
    size_t start = pos_;
    while (!at_line_end() && is_digit(cur())) ++pos_;
    if (pos_ == start) return syntax_error("invalid literal length");
    eat('+');
    if (!eat('}')) return syntax_error("invalid literal announcement");
    if (!at_line_end() || li_ + 1 >= lines_.size()) {
      return syntax_error("literal announcement must end the line");
    }
    LiteralData& data = literals_[li_];
    if (data.binary != n.binary) return syntax_error("malformed command framing");
    n.text = std::move(data.octets);
    if (!n.binary && n.text.find('\0') != std::string::npos) {
      // RFC 9051 §4.3: a literal is CHAR8 (no NUL); NUL needs literal8 (RFC 3516).
      return syntax_error("NUL octet in a literal; use a literal8 ~{n}");
    }
    ++li_;
    pos_ = 0;
    return n;
  }

  Result<Node> parse_word() {
    size_t start = pos_;
    size_t brackets = 0;
    bool in_quote = false;
    while (!at_line_end()) {
      auto c = static_cast<unsigned char>(cur());
      if (c >= 0x80) return syntax_error("8-bit characters must be in a quoted string or literal");
      if (is_ctl(c)) return syntax_error("control character in command");
      if (brackets > 0) {
        // Inside a section spec: spaces, lists and quoted header names are part of the word.
        if (in_quote) {
          if (c == '\\' && pos_ + 1 < line().size()) ++pos_;
          else if (c == '"') in_quote = false;
        } else if (c == '"') {
          in_quote = true;
        } else if (c == '[') {
          if (++brackets > limits_.max_depth) return syntax_error("brackets nested too deeply");
        } else if (c == ']') {
          --brackets;
        } else if (c == '{') {
          return syntax_error("literals inside a section specification are not supported");
        }
        ++pos_;
        continue;
      }
      if (c == ' ' || c == '(' || c == ')') break;
      if (c == '"') return syntax_error("unexpected '\"' inside an atom");
      if (c == '{') return syntax_error("unexpected '{' inside an atom");
      if (c == '[') ++brackets;
      ++pos_;
    }
    if (brackets > 0 || in_quote) return syntax_error("unterminated '[' in an atom");
    if (pos_ == start) return syntax_error("missing argument");
    Node n;
    n.text = std::string(line().substr(start, pos_ - start));
    classify(n);
    return n;
  }

  static void classify(Node& n) {
    if (iequals(n.text, "NIL")) {
      n.kind = NodeKind::nil;
      return;
    }
    bool digits = true, seq = true;
    for (char c : n.text) {
      if (!is_digit(c)) {
        digits = false;
        if (c != ':' && c != ',' && c != '*' && c != '$') seq = false;
      }
    }
    if (digits && n.text.size() <= 20) {
      uint64_t v = 0;
      bool overflow = false;
      for (char c : n.text) {
        auto d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) overflow = true;
        v = v * 10 + d;
      }
      if (!overflow) {
        n.kind = NodeKind::number;
        n.number = v;
        return;
      }
    }
    n.kind = (seq && !digits) ? NodeKind::sequence_set : NodeKind::atom;
  }

  std::span<const std::string> lines_;
  std::span<LiteralData> literals_;
  const ParseLimits& limits_;
  size_t li_ = 0;
  size_t pos_ = 0;
};

}  // namespace

Result<Command> parse_command(std::span<const std::string> lines, std::span<LiteralData> literals,
                              const ParseLimits& limits, std::string* tag_out) {
  return Tokenizer(lines, literals, limits).run(tag_out);
}

Result<Command> parse_command(std::string_view text, const ParseLimits& limits) {
  std::string line(text);
  return parse_command(std::span<const std::string>(&line, 1), std::span<LiteralData>(), limits);
}

bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }

bool is_valid_tag(std::string_view tag) {
  if (tag.empty()) return false;
  for (char c : tag) {
    if (!is_astring_char(c) || c == '+') return false;
  }
  return true;
}

std::optional<std::string_view> as_string(const Node& n) {
  if (n.kind == NodeKind::quoted || (n.kind == NodeKind::literal && !n.binary)) return std::string_view(n.text);
  return std::nullopt;
}

std::optional<std::string_view> as_astring(const Node& n) {
  if (auto s = as_string(n)) return s;
  if (n.kind != NodeKind::atom && n.kind != NodeKind::number && n.kind != NodeKind::sequence_set) return std::nullopt;
  for (char c : n.text) {
    if (!is_astring_char(c)) return std::nullopt;
  }
  return std::string_view(n.text);
}

std::optional<std::string_view> as_list_mailbox(const Node& n) {
  if (auto s = as_string(n)) return s;
  if (n.kind != NodeKind::atom && n.kind != NodeKind::number && n.kind != NodeKind::sequence_set) return std::nullopt;
  for (char c : n.text) {
    if (!is_astring_char(c) && c != '%' && c != '*') return std::nullopt;
  }
  return std::string_view(n.text);
}

bool is_word(const Node& n, std::string_view word) {
  return (n.kind == NodeKind::atom || n.kind == NodeKind::number || n.kind == NodeKind::sequence_set ||
          n.kind == NodeKind::nil) &&
         iequals(n.text, word);
}

std::optional<std::string> atom_upper(const Node& n) {
  if (n.kind != NodeKind::atom) return std::nullopt;
  return to_upper_ascii(n.text);
}

std::optional<uint64_t> as_number(const Node& n, uint64_t max) {
  if (n.kind != NodeKind::number || n.number > max) return std::nullopt;
  return n.number;
}

std::string to_debug_string(const Node& n) {
  switch (n.kind) {
    case NodeKind::atom: return n.text;
    case NodeKind::number: return "#" + std::to_string(n.number);
    case NodeKind::sequence_set: return "seq:" + n.text;
    case NodeKind::quoted: {
      std::string s = "\"";
      for (char c : n.text) {
        if (c == '"' || c == '\\') s.push_back('\\');
        s.push_back(c);
      }
      return s + "\"";
    }
    case NodeKind::literal:
      return std::string(n.binary ? "~{" : "{") + std::to_string(n.text.size()) + "}" + n.text;
    case NodeKind::nil: return "NIL";
    case NodeKind::list: {
      std::string s = "(";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) s.push_back(' ');
        s += to_debug_string(n.children[i]);
      }
      return s + ")";
    }
  }
  return "?";
}

std::string to_debug_string(const Command& c) {
  std::string s = c.tag + (c.uid ? " UID " : " ") + c.name;
  for (const auto& a : c.args) s += " " + to_debug_string(a);
  return s;
}

std::string_view node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::atom: return "atom";
    case NodeKind::number: return "number";
    case NodeKind::sequence_set: return "sequence set";
    case NodeKind::quoted: return "quoted string";
    case NodeKind::literal: return "literal";
    case NodeKind::nil: return "NIL";
    case NodeKind::list: return "list";
  }
  return "?";
}

}  // namespace postern::imap
