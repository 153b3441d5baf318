// IMAP string forms for the structure renderers.
#include "imap/render/imap_string.hpp"

namespace postern::imap::render_detail {

void append_string(std::string& out, std::string_view s, const WriterOptions& options) {
  std::string clean;
  if (s.find('\0') != std::string_view::npos) {
    clean.assign(s);
    for (auto& c : clean)
      if (c == '\0') c = ' ';
    s = clean;
  }
  if (can_quote(s, options)) {
    append_quoted(out, s);
    return;
  }
  out += '{';
  out += std::to_string(s.size());
  out += "}\r\n";
  out.append(s);
}

void append_nstring(std::string& out, const std::optional<std::string>& s, const WriterOptions& options) {
  if (s) append_string(out, *s, options);
  else out += "NIL";
}

}  // namespace postern::imap::render_detail
