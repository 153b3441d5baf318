// Address-list parsing: a tokenizer for RFC 5322 §3.2 lexical tokens and a
// tolerant interpreter of the token stream, one list element at a time.
#include "mime/address_list.hpp"

#include "mime/header.hpp"

namespace postern::mime {
namespace {

enum class Tok { word, quoted, comment, domain_literal, special };

struct Token {
  Tok kind;
  std::string text;  // word/quoted/comment content (unescaped); the special char
  bool space_before = false;
};

bool is_special(char c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case ':': case ';':
    case '@': case '\\': case ',': case '"':
      return true;
    default:
      return false;
  }
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 5322 §3.2: atoms (with "." kept inside, for dot-atoms and obsolete
// phrases), quoted strings, comments, domain literals and specials.
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    char c = s[i];
    if (is_ws(c)) { space = true; ++i; continue; }
    Token t{Tok::special, {}, space};
    space = false;
    if (c == '"') {
      t.kind = Tok::quoted;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        t.text.push_back(s[i]);
        ++i;
      }
      if (i < s.size()) ++i;
    } else if (c == '(') {
      t.kind = Tok::comment;
      int depth = 0;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          t.text.push_back(s[i + 1]);
          i += 2;
          continue;
        }
        if (s[i] == '(' && depth++ == 0) { ++i; continue; }
        if (s[i] == ')' && --depth == 0) { ++i; break; }
        t.text.push_back(s[i]);
        ++i;
      }
    } else if (c == '[') {
      t.kind = Tok::domain_literal;
      size_t start = i;
      while (i < s.size() && s[i] != ']') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        ++i;
      }
      if (i < s.size()) ++i;
      t.text.assign(s.substr(start, i - start));
    } else if (is_special(c)) {
      t.text.assign(1, c);
      ++i;
    } else {
      t.kind = Tok::word;
      size_t start = i;
      while (i < s.size() && !is_ws(s[i]) && !is_special(s[i])) ++i;
      t.text.assign(s.substr(start, i - start));
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool is_sp(const Token& t, char c) { return t.kind == Tok::special && t.text.size() == 1 && t.text[0] == c; }

// Words and quoted strings joined as a phrase: one space between words that
// were separated, none where they touched (obsolete "J.Q.Public").
std::string phrase(const std::vector<Token>& toks, size_t begin, size_t end) {
  std::string out;
  for (size_t k = begin; k < end; ++k) {
    const auto& t = toks[k];
    if (t.kind == Tok::comment) continue;
    if (!out.empty() && t.space_before) out.push_back(' ');
    out += t.text;
  }
  return out;
}

// local-part "@" domain out of tokens [begin, end): words, quoted strings
// and dots concatenate without spaces (RFC 5322 §4.4 allows CFWS around dots).
void addr_spec(const std::vector<Token>& toks, size_t begin, size_t end, Address& a) {
  std::string local, domain;
  bool at = false;
  for (size_t k = begin; k < end; ++k) {
    const auto& t = toks[k];
    if (t.kind == Tok::comment) continue;
    if (is_sp(t, '@') && !at) { at = true; continue; }
    (at ? domain : local) += t.text;
  }
  a.mailbox = local.empty() ? std::string(kMissingMailbox) : local;
  a.host = domain.empty() ? std::string(kMissingDomain) : domain;
}

// The last comment in [begin, end), used as the name of "a@b (Name)".
std::optional<std::string> last_comment(const std::vector<Token>& toks, size_t begin, size_t end) {
  std::optional<std::string> out;
  for (size_t k = begin; k < end; ++k)
    if (toks[k].kind == Tok::comment) out = toks[k].text;
  return out;
}

// One mailbox from tokens [begin, end) (no "," or ";" at top level).
std::optional<Address> mailbox(const std::vector<Token>& toks, size_t begin, size_t end) {
  if (begin >= end) return std::nullopt;
  size_t lt = end;
  for (size_t k = begin; k < end; ++k)
    if (is_sp(toks[k], '<')) { lt = k; break; }
  Address a;
  if (lt == end) {
    // addr-spec alone, "a@b (Name)".
    bool only_comments = true;
    for (size_t k = begin; k < end; ++k)
      if (toks[k].kind != Tok::comment) only_comments = false;
    if (only_comments) return std::nullopt;
    addr_spec(toks, begin, end, a);
    if (auto c = last_comment(toks, begin, end); c && !c->empty()) a.name = *c;
    return a;
  }
  // name-addr: [display-name] "<" [route ":"] addr-spec ">" (RFC 5322 §3.4, §4.4).
  if (auto name = phrase(toks, begin, lt); !name.empty()) a.name = std::move(name);
  size_t gt = end;
  for (size_t k = lt + 1; k < end; ++k)
    if (is_sp(toks[k], '>')) { gt = k; break; }
  size_t spec = lt + 1;
  if (spec < gt && is_sp(toks[spec], '@')) {
    // Obsolete route "@a,@b:" — the "," inside <> was not a list separator.
    size_t colon = gt;
    for (size_t k = spec; k < gt; ++k)
      if (is_sp(toks[k], ':')) { colon = k; break; }
    if (colon < gt) {
      std::string adl;
      for (size_t k = spec; k < colon; ++k)
        if (toks[k].kind != Tok::comment) adl += toks[k].text;
      a.adl = std::move(adl);
      spec = colon + 1;
    }
  }
  addr_spec(toks, spec, gt, a);
  if (!a.name) {
    if (auto c = last_comment(toks, begin, end); c && !c->empty()) a.name = *c;
  }
  return a;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view raw) {
  std::string value = unfold(raw);
  auto toks = tokenize(value);
  std::vector<Address> out;
  bool in_group = false;
  size_t k = 0;
  while (k < toks.size() && out.size() < kMaxAddresses) {
    // Find the end of this element: "," or ";" outside <>, or a ":" that
    // opens a group (only when not already in one and not inside <>).
    size_t start = k;
    bool in_angle = false;
    size_t e = k;
    for (; e < toks.size(); ++e) {
      const auto& t = toks[e];
      if (is_sp(t, '<')) in_angle = true;
      else if (is_sp(t, '>')) in_angle = false;
      else if (!in_angle && (is_sp(t, ',') || is_sp(t, ';'))) break;
      else if (!in_angle && !in_group && is_sp(t, ':')) break;
    }
    if (e < toks.size() && is_sp(toks[e], ':')) {
      // RFC 5322 §3.4 group: display-name ":" [group-list] ";".
      Address g;
      g.mailbox = phrase(toks, start, e);
      out.push_back(std::move(g));
      in_group = true;
      k = e + 1;
      continue;
    }
    if (auto a = mailbox(toks, start, e)) out.push_back(std::move(*a));
    if (e < toks.size() && is_sp(toks[e], ';') && in_group) {
      out.push_back(Address{});  // group end
      in_group = false;
    }
    k = e + 1;
  }
  if (in_group) {
    // Unterminated group (or cut by kMaxAddresses): close it so the IMAP
    // structure stays balanced.
    out.push_back(Address{});
  }
  return out;
}

}  // namespace postern::mime
