// Text extraction for the SEARCH text keys. Scratch buffers are
// thread-local (searches run on several worker threads at once) and are
// given back when one large message made them grow.
#include "imap/search/message_text.hpp"

#include "core/strings.hpp"
#include "imap/search/casefold.hpp"
#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"
#include "mime/header.hpp"
#include "mime/transfer_decoding.hpp"

namespace postern::imap {
namespace {

constexpr size_t kKeepScratch = size_t{1} << 20;

struct Scratch {
  std::string folded, decoded, utf8, text;
  // Keeps capacity for the next message unless one huge message left it large.
  void done() {
    for (std::string* s : {&folded, &decoded, &utf8, &text}) {
      if (s->capacity() > kKeepScratch) std::string().swap(*s);
      else s->clear();
    }
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

bool folded_contains(std::string_view text, std::string_view needle) {
  auto& folded = scratch().folded;
  folded.clear();
  append_casefolded(folded, text);
  return contains_folded(folded, needle);
}

bool wsp(char c) { return c == ' ' || c == '\t'; }

// A header section as "Name: value" lines, unfolded, encoded-words decoded.
void append_header_text(std::string& out, std::string_view header) {
  if (header.find("=?") == std::string_view::npos && is_valid_utf8(header)) {
    // Nothing to decode: only unfold (a line break followed by a blank
    // continues the field, RFC 5322 §2.2.3).
    out.reserve(out.size() + header.size());
    size_t start = 0;
    for (;;) {
      size_t lf = header.find('\n', start);
      if (lf == std::string_view::npos) {
        out.append(header.substr(start));
        return;
      }
      size_t end = lf > start && header[lf - 1] == '\r' ? lf - 1 : lf;
      out.append(header.substr(start, end - start));
      if (lf + 1 >= header.size() || !wsp(header[lf + 1])) out += '\n';
      start = lf + 1;
    }
  }
  auto h = mime::parse_header_section(header);
  for (const auto& f : h.fields) {
    out += f.name;
    out += ": ";
    out += mime::decode_encoded_words(f.value);
    out += '\n';
  }
}

bool header_text_contains(std::string_view header, std::string_view needle) {
  auto& text = scratch().text;
  text.clear();
  append_header_text(text, header);
  return folded_contains(text, needle);
}

bool textual_leaf(const mime::Part& p) { return p.children.empty() && (p.is_text() || p.type == "message"); }

bool part_text_contains(std::string_view message, const mime::Part& p, std::string_view needle) {
  auto& s = scratch();
  std::string_view decoded = mime::part_body(message, p);
  // Unknown encodings are searched as they are, like 7bit.
  auto encoding = mime::parse_transfer_encoding(p.encoding).value_or(mime::TransferEncoding::identity);
  if (encoding != mime::TransferEncoding::identity) {
    s.decoded = mime::decode_transfer_encoding(decoded, encoding);
    decoded = s.decoded;
  }
  const mime::Param* cs = mime::find_param(p.params, "charset");
  std::string_view text = mime::text_to_utf8(cs ? std::string_view(cs->value) : std::string_view(), decoded, s.utf8);
  return folded_contains(text, needle);
}

// Depth-first over the part tree (parts in message order), stopping at
// the first part for which `fn` is true.
template <class Fn>
bool any_part(const mime::Part& root, Fn&& fn) {
  std::vector<const mime::Part*> stack{&root};
  while (!stack.empty()) {
    const mime::Part* p = stack.back();
    stack.pop_back();
    if (fn(*p)) return true;
    for (auto it = p->children.rbegin(); it != p->children.rend(); ++it) stack.push_back(&*it);
  }
  return false;
}

void append_address(std::string& out, const mime::Address& a) {
  if (a.is_group_end()) {
    out += ';';
    return;
  }
  if (!out.empty() && out.back() != ':') out += ", ";
  if (a.is_group_start()) {
    out += mime::decode_encoded_words(*a.mailbox);
    out += ':';
    return;
  }
  std::string name = a.name ? mime::decode_encoded_words(*a.name) : std::string();
  std::string_view mailbox = a.mailbox && *a.mailbox != mime::kMissingMailbox ? std::string_view(*a.mailbox) : "";
  std::string_view host = a.host && *a.host != mime::kMissingDomain ? std::string_view(*a.host) : "";
  if (!name.empty()) {
    out += name;
    out += " <";
  }
  out += mailbox;
  if (!host.empty()) {
    out += '@';
    out += host;
  }
  if (!name.empty()) out += '>';
}

}  // namespace

bool addresses_contain(const std::vector<mime::Address>& list, std::string_view needle) {
  if (list.empty()) return false;
  auto& text = scratch().text;
  text.clear();
  for (const auto& a : list) append_address(text, a);
  bool r = folded_contains(text, needle);
  scratch().done();
  return r;
}

bool subject_contains(const std::optional<std::string>& raw_subject, std::string_view needle) {
  if (!raw_subject) return false;
  bool r = folded_contains(mime::decode_encoded_words(*raw_subject), needle);
  scratch().done();
  return r;
}

bool header_field_contains(std::string_view header, std::string_view name, std::string_view needle) {
  auto h = mime::parse_header_section(header);
  bool r = false;
  for (const auto& f : h.fields) {
    if (!iequals(f.name, name)) continue;
    if (needle.empty() || folded_contains(mime::decode_encoded_words(f.value), needle)) {
      r = true;
      break;
    }
  }
  scratch().done();
  return r;
}

bool body_contains(std::string_view message, const mime::MessageStructure& st, std::string_view needle) {
  bool r = any_part(st.root, [&](const mime::Part& p) { return textual_leaf(p) && part_text_contains(message, p, needle); });
  scratch().done();
  return r;
}

bool text_contains(std::string_view message, const mime::MessageStructure& st, std::string_view needle) {
  // Headers first: they are small and often hold the word.
  bool r = any_part(st.root, [&](const mime::Part& p) {
    return header_text_contains(mime::part_header(message, p), needle);
  });
  if (!r) r = any_part(st.root, [&](const mime::Part& p) { return textual_leaf(p) && part_text_contains(message, p, needle); });
  scratch().done();
  return r;
}

}  // namespace postern::imap
