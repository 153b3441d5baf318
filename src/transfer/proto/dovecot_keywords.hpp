// Dovecot's per-folder "dovecot-keywords" file: one "<index> <keyword>"
// line per keyword, index 0..25 naming the file-name letter 'a'+index.
// Parses untrusted file contents; bad lines are ignored (Dovecot does the same).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace postern::transfer {

using KeywordTable = std::array<std::string, 26>;  // "" = letter unused

KeywordTable parse_dovecot_keywords(std::string_view file);
std::string format_dovecot_keywords(const KeywordTable& table);

// The keyword names for the letters of a file name; letters without a name
// are skipped.
std::vector<std::string> keywords_of_letters(const KeywordTable& table, std::string_view letters);

}  // namespace postern::transfer
