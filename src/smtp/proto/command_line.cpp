// Verb/argument split and character-level validation of command lines.
#include "smtp/proto/command_line.hpp"

#include "core/strings.hpp"

namespace postern::smtp {
namespace {

Reply bad_syntax(std::string text) { return Reply{500, "5.5.2", std::move(text)}; }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

ReplyOr<CommandLine> parse_command_line(std::string_view line) {
  for (unsigned char c : line) {
    if ((c < 32 && c != '\t') || c == 127) return bad_syntax("Error: invalid character in command");
  }
  if (!is_valid_utf8(line)) return bad_syntax("Error: invalid UTF-8 in command");
  while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
  while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
  if (line.empty()) return bad_syntax("Error: bad syntax");

  size_t verb_end = 0;
  while (verb_end < line.size() && !is_blank(line[verb_end])) ++verb_end;
  std::string_view verb = line.substr(0, verb_end);
  if (verb.size() > kMaxVerbLength) return bad_syntax("Error: command not recognized");
  for (char c : verb) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return bad_syntax("Error: command not recognized");
  }
  std::string_view argument = line.substr(verb_end);
  while (!argument.empty() && is_blank(argument.front())) argument.remove_prefix(1);
  return CommandLine{to_upper_ascii(verb), argument};
}

}  // namespace postern::smtp
