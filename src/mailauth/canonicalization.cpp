// RFC 6376 §3.4 canonicalization algorithms.
#include "mailauth/canonicalization.hpp"

#include "core/strings.hpp"

namespace postern::mailauth {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// Appends `value` with CR/LF removed (unfolding), WSP runs collapsed to one
// SP and leading/trailing WSP dropped (§3.4.2).
void append_relaxed_value(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (is_wsp(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
    any = true;
  }
}

}  // namespace

std::string relaxed_header(std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + value.size() + 3);
  // The name: lower-cased, WSP before the colon removed.
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  out += to_lower_ascii(name);
  out += ':';
  append_relaxed_value(out, value);
  return out;
}

std::string canonicalize_header(const mime::HeaderField& field, Canon canon) {
  if (canon == Canon::relaxed) return relaxed_header(field.name, field.value) + "\r\n";
  // simple: the field exactly as written, from the name to the end of its
  // last line (RFC 6376 §3.4.1), plus the CRLF that ended it.
  const char* begin = field.name.data();
  const char* end = field.value.data() + field.value.size();
  std::string out(begin, static_cast<size_t>(end - begin));
  out += "\r\n";
  return out;
}

void canonicalize_body(std::string_view body, Canon canon, const ByteSink& out) {
  static constexpr std::string_view kCrlf = "\r\n";
  size_t pending_empty_lines = 0;  // CRLFs held back: dropped if only empty lines follow
  bool emitted = false;
  std::string relaxed_line;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    size_t next = nl == std::string_view::npos ? body.size() : nl + 1;
    // A CR right before LF belongs to the line ending.
    if (nl != std::string_view::npos && end > pos && body[end - 1] == '\r') --end;
    std::string_view line = body.substr(pos, end - pos);
    pos = next;
    if (canon == Canon::relaxed) {
      // §3.4.4: WSP runs become one SP, WSP at the end of the line goes.
      relaxed_line.clear();
      bool pending_space = false;
      for (char c : line) {
        if (is_wsp(c)) {
          pending_space = true;
          continue;
        }
        if (pending_space) relaxed_line += ' ';
        pending_space = false;
        relaxed_line += c;
      }
      line = relaxed_line;
    }
    if (line.empty()) {
      ++pending_empty_lines;
      continue;
    }
    for (; pending_empty_lines > 0; --pending_empty_lines) out(kCrlf);
    out(line);
    out(kCrlf);  // also completes a last line that had no line ending
    emitted = true;
  }
  if (!emitted && canon == Canon::simple) out(kCrlf);
}

std::string canonical_body(std::string_view body, Canon canon) {
  std::string out;
  canonicalize_body(body, canon, [&out](std::string_view piece) { out += piece; });
  return out;
}

}  // namespace postern::mailauth
