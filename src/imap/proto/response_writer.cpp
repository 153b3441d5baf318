// Response serialization (RFC 9051 §4.3 string forms, §7 responses).
#include "imap/proto/response_writer.hpp"

#include "core/strings.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {
namespace {

std::string_view condition_name(Condition c) {
  switch (c) {
    case Condition::ok: return "OK";
    case Condition::no: return "NO";
    case Condition::bad: return "BAD";
    case Condition::preauth: return "PREAUTH";
    case Condition::bye: return "BYE";
  }
  return "BAD";
}

void status_line(ResponseBuilder& r, Condition c, std::string_view text, std::string_view code,
                 std::string_view code_args) {
  r.condition(c);
  if (!code.empty()) r.code(code, code_args);
  r.text(text.empty() ? std::string_view(condition_name(c)) : text).end();
}

}  // namespace

bool can_quote(std::string_view s, const WriterOptions& options) {
  if (s.size() > options.max_quoted) return false;
  bool eight_bit = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n') return false;
    if (u >= 0x80) eight_bit = true;
  }
  return !eight_bit || (options.utf8 && is_valid_utf8(s));
}

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void ResponseBuilder::sep() {
  if (need_space_) out_.push_back(' ');
  need_space_ = true;
}

ResponseBuilder& ResponseBuilder::untagged() { return atom("*"); }
ResponseBuilder& ResponseBuilder::tagged(std::string_view tag) { return atom(tag); }
ResponseBuilder& ResponseBuilder::continuation() { return atom("+"); }
ResponseBuilder& ResponseBuilder::condition(Condition c) { return atom(condition_name(c)); }

ResponseBuilder& ResponseBuilder::atom(std::string_view a) {
  sep();
  out_.append(a);
  return *this;
}

ResponseBuilder& ResponseBuilder::number(uint64_t n) { return atom(std::to_string(n)); }

ResponseBuilder& ResponseBuilder::string(std::string_view s) {
  if (!can_quote(s, opt_)) return literal(s);
  sep();
  append_quoted(out_, s);
  return *this;
}

ResponseBuilder& ResponseBuilder::astring(std::string_view s) {
  bool atom_ok = !s.empty() && !iequals(s, "NIL");
  for (char c : s) {
    if (!is_astring_char(c)) atom_ok = false;
  }
  return atom_ok ? atom(s) : string(s);
}

ResponseBuilder& ResponseBuilder::nstring(const std::optional<std::string_view>& s) {
  return s ? string(*s) : nil();
}

ResponseBuilder& ResponseBuilder::nil() { return atom("NIL"); }

ResponseBuilder& ResponseBuilder::binary(std::string_view data) {
  if (data.find('\0') == std::string_view::npos) return string(data);
  sep();
  out_ += "~{" + std::to_string(data.size()) + "}\r\n";
  out_.append(data);
  return *this;
}

ResponseBuilder& ResponseBuilder::literal(std::string_view data) {
  sep();
  out_ += "{" + std::to_string(data.size()) + "}\r\n";
  out_.append(data);
  return *this;
}

ResponseBuilder& ResponseBuilder::open() {
  sep();
  out_.push_back('(');
  need_space_ = false;
  return *this;
}

ResponseBuilder& ResponseBuilder::close() {
  out_.push_back(')');
  need_space_ = true;
  return *this;
}

ResponseBuilder& ResponseBuilder::code(std::string_view name, std::string_view args) {
  sep();
  out_.push_back('[');
  out_.append(name);
  if (!args.empty()) {
    out_.push_back(' ');
    out_.append(args);
  }
  out_.push_back(']');
  return *this;
}

ResponseBuilder& ResponseBuilder::text(std::string_view t) {
  sep();
  bool utf8_ok = opt_.utf8 && is_valid_utf8(t);
  for (size_t i = 0; i < t.size(); ++i) {
    auto u = static_cast<unsigned char>(t[i]);
    if (i == 0 && u == '[') out_.push_back('(');
    else if (u < 0x20 || u == 0x7f) out_.push_back(' ');
    else if (u >= 0x80 && !utf8_ok) out_.push_back('?');
    else out_.push_back(static_cast<char>(u));
  }
  return *this;
}

ResponseBuilder& ResponseBuilder::raw(std::string_view r) {
  sep();
  out_.append(r);
  return *this;
}

void ResponseBuilder::end() {
  out_ += "\r\n";
  need_space_ = false;
}

void append_tagged(std::string& out, std::string_view tag, Condition c, std::string_view text, std::string_view code,
                   std::string_view code_args) {
  ResponseBuilder r(out);
  r.tagged(tag);
  status_line(r, c, text, code, code_args);
}

void append_untagged_status(std::string& out, Condition c, std::string_view text, std::string_view code,
                            std::string_view code_args) {
  ResponseBuilder r(out);
  r.untagged();
  status_line(r, c, text, code, code_args);
}

void append_continuation(std::string& out, std::string_view text) {
  out += "+ ";
  if (!text.empty()) {
    ResponseBuilder r(out);
    r.text(text);
  }
  out += "\r\n";
}

}  // namespace postern::imap
