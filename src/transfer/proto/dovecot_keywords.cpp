// dovecot-keywords parsing and writing (see dovecot_keywords.hpp).
#include "transfer/proto/dovecot_keywords.hpp"

namespace postern::transfer {
namespace {

// An IMAP atom fit to be a keyword (RFC 9051 flag-keyword): no specials,
// no controls, no backslash at the start (that would be a system flag).
bool valid_keyword(std::string_view k) {
  if (k.empty() || k.size() > 200 || k.front() == '\\') return false;
  for (unsigned char c : k)
    if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
        c == '\\' || c == ']')
      return false;
  return true;
}

}  // namespace

KeywordTable parse_dovecot_keywords(std::string_view file) {
  KeywordTable table;
  size_t pos = 0;
  while (pos < file.size()) {
    size_t nl = file.find('\n', pos);
    std::string_view line = file.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? file.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp = line.find(' ');
    if (sp == 0 || sp == std::string_view::npos || sp > 2) continue;
    int index = 0;
    bool digits = true;
    for (char c : line.substr(0, sp)) {
      if (c < '0' || c > '9') digits = false;
      else index = index * 10 + (c - '0');
    }
    std::string_view name = line.substr(sp + 1);
    if (!digits || index > 25 || !valid_keyword(name)) continue;
    table[static_cast<size_t>(index)] = std::string(name);
  }
  return table;
}

std::string format_dovecot_keywords(const KeywordTable& table) {
  std::string out;
  for (size_t i = 0; i < table.size(); ++i)
    if (!table[i].empty()) out += std::to_string(i) + " " + table[i] + "\n";
  return out;
}

std::vector<std::string> keywords_of_letters(const KeywordTable& table, std::string_view letters) {
  std::vector<std::string> out;
  for (char c : letters)
    if (c >= 'a' && c <= 'z' && !table[static_cast<size_t>(c - 'a')].empty())
      out.push_back(table[static_cast<size_t>(c - 'a')]);
  return out;
}

}  // namespace postern::transfer
