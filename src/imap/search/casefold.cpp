// Case folding by table: an ASCII fast path (a word at a time), then one
// table lookup per two-octet UTF-8 character in the folded range.
#include "imap/search/casefold.hpp"

#include <cstdint>
#include <cstring>

namespace postern::imap {
namespace {

struct FoldEntry {
  uint8_t length;
  char bytes[7];
};

#include "imap/search/casefold_table.inc"

static_assert(sizeof(kFoldTable) / sizeof(kFoldTable[0]) == kFoldEnd - kFoldFirst);

}  // namespace

void append_casefolded(std::string& out, std::string_view text) {
  // Only table entries grow the text (two octets to at most 7): other
  // characters are written at their own size. The buffer keeps room for
  // the rest of the input and is enlarged before an entry would eat into it.
  const size_t start = out.size();
  out.resize(start + text.size() + 16);
  char* w = out.data() + start;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Eight ASCII octets at a time (most mail text): lower-case in a word.
    if (end - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      if ((v & 0x8080808080808080ull) == 0) {
        uint64_t ge_a = v + 0x3F3F3F3F3F3F3F3Full;  // high bit set where octet >= 'A'
        uint64_t gt_z = v + 0x2525252525252525ull;  // high bit set where octet > 'Z'
        v |= ((ge_a ^ gt_z) & 0x8080808080808080ull) >> 2;  // +0x20 for 'A'..'Z'
        std::memcpy(w, &v, 8);
        w += 8;
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c < 0x80) {
      *w++ = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      ++p;
      continue;
    }
    // Two-octet sequences cover U+0080..U+07FF, which holds the whole table.
    if ((c & 0xE0) == 0xC0 && p + 1 < end && (p[1] & 0xC0) == 0x80) {
      uint32_t cp = (static_cast<uint32_t>(c & 0x1F) << 6) | (p[1] & 0x3F);
      if (cp >= kFoldFirst && cp < kFoldEnd && kFoldTable[cp - kFoldFirst].length != 0) {
        const FoldEntry& e = kFoldTable[cp - kFoldFirst];
        size_t used = static_cast<size_t>(w - out.data());
        if (out.size() - used < static_cast<size_t>(end - p) + sizeof e.bytes) {
          out.resize(out.size() * 2 + sizeof e.bytes);
          w = out.data() + used;
        }
        std::memcpy(w, e.bytes, e.length);
        w += e.length;
      } else {
        *w++ = static_cast<char>(c);
        *w++ = static_cast<char>(p[1]);
      }
      p += 2;
      continue;
    }
    *w++ = static_cast<char>(c);  // longer sequences and invalid octets: unchanged
    ++p;
  }
  out.resize(static_cast<size_t>(w - out.data()));
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  return ::memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

}  // namespace postern::imap
