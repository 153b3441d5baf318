// POP3 command-line parsing.
#include "pop3/command.hpp"

namespace postern::pop3 {

std::optional<CommandLine> parse_command_line(std::string_view line) {
  size_t sp = line.find(' ');
  std::string_view kw = line.substr(0, sp);
  if (kw.size() < 3 || kw.size() > 4) return std::nullopt;
  CommandLine c;
  for (char ch : kw) {
    bool lower = ch >= 'a' && ch <= 'z';
    if (!lower && !(ch >= 'A' && ch <= 'Z')) return std::nullopt;
    c.keyword += lower ? static_cast<char>(ch - 'a' + 'A') : ch;
  }
  if (sp == std::string_view::npos) return c;
  c.rest = std::string(line.substr(sp + 1));
  std::string_view rest = c.rest;
  while (!rest.empty()) {
    size_t next = rest.find(' ');
    std::string_view arg = rest.substr(0, next);
    if (!arg.empty()) c.args.emplace_back(arg);
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return c;
}

std::optional<uint64_t> parse_line_count(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  return v;
}

std::optional<uint32_t> parse_message_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    if (v < UINT32_MAX) v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (v == 0) return std::nullopt;
  return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v);
}

}  // namespace postern::pop3
