// RFC 6376 §3.2 tag-list parsing.
#include "mailauth/tag_list.hpp"

namespace postern::mailauth {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// VALCHAR = %x21-3A / %x3C-7E; plus UTF-8 octets (RFC 8616 §4).
bool is_valchar(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u <= 0x7e && c != ';') || u >= 0x80;
}

std::string_view trim_fws(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return s.size() > 40 ? out + "..." : out;
}

}  // namespace

Result<std::vector<Tag>> parse_tag_list(std::string_view text) {
  std::vector<Tag> tags;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t semi = text.find(';', pos);
    std::string_view spec = text.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    pos = semi == std::string_view::npos ? text.size() + 1 : semi + 1;
    std::string_view trimmed = trim_fws(spec);
    if (trimmed.empty()) {
      // Only the optional trailing ";" may leave an empty spec (and an empty
      // input is an empty list).
      if (pos > text.size()) break;
      return syntax_error("empty tag in tag list");
    }
    size_t eq = trimmed.find('=');
    if (eq == std::string_view::npos) return syntax_error("tag without '=': " + printable(trimmed));
    std::string_view name = trim_fws(trimmed.substr(0, eq));
    // tag-name = ALPHA *ALNUMPUNC
    if (name.empty() || !is_alpha(name[0])) return syntax_error("invalid tag name '" + printable(name) + "'");
    for (char c : name)
      if (!is_alpha(c) && !is_digit(c) && c != '_') return syntax_error("invalid tag name '" + printable(name) + "'");
    std::string_view raw = trim_fws(trimmed.substr(eq + 1));
    Tag tag{std::string(name), {}};
    tag.value.reserve(raw.size());
    for (char c : raw) {
      if (c == '\r' || c == '\n') continue;  // folding: the WSP after it stays
      if (!is_valchar(c) && c != ' ' && c != '\t')
        return syntax_error("invalid character in value of tag '" + tag.name + "'");
      tag.value += c;
    }
    if (find_tag(tags, tag.name)) return syntax_error("duplicate tag '" + tag.name + "'");
    if (tags.size() >= kMaxTags) return syntax_error("more than " + std::to_string(kMaxTags) + " tags");
    tags.push_back(std::move(tag));
  }
  return tags;
}

const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name) {
  for (const auto& t : tags)
    if (t.name == name) return &t;
  return nullptr;
}

std::string strip_whitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value)
    if (!is_wsp(c)) out += c;
  return out;
}

}  // namespace postern::mailauth
