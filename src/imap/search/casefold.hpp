// The case-insensitive comparison form of text for SEARCH (RFC 9051 §6.4.4:
// string matching is case-insensitive), SORT and THREAD (RFC 5256 §2.1 base
// subjects, compared case-insensitively).
//
// What is folded: ASCII letters are lower-cased; U+0080..U+052F (Latin-1
// Supplement, Latin Extended-A/B, IPA, Greek, Cyrillic) get their simple
// case fold in canonical decomposition (casefold_table.inc, generated from
// Python's unicodedata by scripts/gen-casefold-table). Like Dovecot's
// i;unicode-casemap, an accented letter becomes its base letter plus a
// combining mark, so "cafe" finds "CAFÉ" and "Café", and "café" finds both
// the precomposed and the decomposed spelling; "é" alone does not find "e".
// "ß" stays "ß" (no full folding to "ss"); "ſ" folds to "s" and final "ς" to
// "σ". Other code points, and octets that are not valid UTF-8, are kept as
// they are, so matching there is exact.
//
// Substring matching on the folded forms of both sides is code-point exact:
// UTF-8 never matches in the middle of a character.
#pragma once

#include <string>
#include <string_view>

namespace postern::imap {

// Appends the folded form of `text` (UTF-8) to `out`.
void append_casefolded(std::string& out, std::string_view text);

inline std::string casefolded(std::string_view text) {
  std::string out;
  append_casefolded(out, text);
  return out;
}

// True when `needle` occurs in `haystack`; both already folded. An empty
// needle occurs everywhere.
bool contains_folded(std::string_view haystack, std::string_view needle);

}  // namespace postern::imap
