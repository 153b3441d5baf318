// RFC 5256 §2.1, steps (1)-(7), on the folded subject (so "RE", "Re" and
// "re" are all "re"). The grammar:
//   subj-refwd   = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//   subj-blob    = "[" *BLOBCHAR "]" *WSP        ; BLOBCHAR: any octet but "[" "]"
//   subj-leader  = (*subj-blob subj-refwd) / WSP
//   subj-trailer = "(fwd)" / WSP
//   subj-fwd     = "[fwd:" subject "]"
#include "imap/search/base_subject.hpp"

#include "imap/search/casefold.hpp"

namespace postern::imap {
namespace {

constexpr size_t npos = std::string_view::npos;

bool wsp(char c) { return c == ' ' || c == '\t'; }

// End of a subj-blob starting at s[i], or npos.
size_t blob_end(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '[') return npos;
  size_t j = i + 1;
  while (j < s.size() && s[j] != '[' && s[j] != ']') ++j;
  if (j >= s.size() || s[j] != ']') return npos;
  ++j;
  while (j < s.size() && wsp(s[j])) ++j;
  return j;
}

// End of a subj-refwd starting at s[i], or npos.
size_t refwd_end(std::string_view s, size_t i) {
  size_t j;
  if (s.substr(i, 2) == "re") j = i + 2;
  else if (s.substr(i, 3) == "fwd") j = i + 3;
  else if (s.substr(i, 2) == "fw") j = i + 2;
  else return npos;
  while (j < s.size() && wsp(s[j])) ++j;
  if (size_t b = blob_end(s, j); b != npos) j = b;
  if (j < s.size() && s[j] == ':') return j + 1;
  return npos;
}

// Step (2): trailing "(fwd)" and blanks, repeatedly.
void strip_trailers(std::string_view& s, bool& reply) {
  for (;;) {
    if (!s.empty() && wsp(s.back())) {
      s.remove_suffix(1);
    } else if (s.ends_with("(fwd)")) {
      s.remove_suffix(5);
      reply = true;
    } else {
      return;
    }
  }
}

// Step (3): every subj-leader at the start. True when something was removed.
bool strip_leaders(std::string_view& s, bool& reply) {
  size_t pos = 0;
  for (;;) {
    if (pos < s.size() && wsp(s[pos])) {
      ++pos;
      continue;
    }
    size_t j = pos;
    while (true) {
      size_t b = blob_end(s, j);
      if (b == npos) break;
      j = b;
    }
    size_t r = refwd_end(s, j);
    if (r == npos) break;
    reply = true;
    pos = r;
  }
  s.remove_prefix(pos);
  return pos > 0;
}

// Step (4): a leading subj-blob, when text remains after it; as steps
// (3)-(5) repeat, every blob of the leading chain goes while text remains.
// Called after strip_leaders found no subj-refwd after the chain, so
// removing the chain's blobs one by one (with a rescan each time, as the
// RFC's loop reads) would end at the same place: its end, or its last
// blob when nothing follows. Taken in one step: one at a time was
// quadratic in the subject length (found by fuzz_imap_search).
bool strip_blobs(std::string_view& s) {
  size_t end = blob_end(s, 0);
  if (end == npos) return false;
  size_t last = 0;
  for (size_t next; (next = blob_end(s, end)) != npos;) {
    last = end;
    end = next;
  }
  // blob_end skips the blanks after "]": text remains iff end < size.
  size_t cut = end < s.size() ? end : last;
  if (cut == 0) return false;
  s.remove_prefix(cut);
  return true;
}

}  // namespace

BaseSubject base_subject(std::string_view subject) {
  BaseSubject out;
  // Step (1): blanks and line breaks to single spaces (the caller decoded
  // the encoded-words), then the case fold used for every comparison.
  std::string collapsed;
  collapsed.reserve(subject.size());
  for (char c : subject) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      if (!collapsed.empty() && collapsed.back() != ' ') collapsed.push_back(' ');
    } else {
      collapsed.push_back(c);
    }
  }
  const std::string folded = casefolded(collapsed);
  // Every step only shortens the subject at either end: a view, so that
  // no step copies what is left (step (6) once did, per "[fwd:" level).
  std::string_view s = folded;
  for (;;) {
    strip_trailers(s, out.reply_or_forward);
    // Steps (3)-(5).
    for (;;) {
      bool a = strip_leaders(s, out.reply_or_forward);
      bool b = strip_blobs(s);
      if (!a && !b) break;
    }
    // Step (6): "[fwd: ...]" around the whole rest.
    if (s.starts_with("[fwd:") && s.ends_with("]")) {
      s = s.substr(5, s.size() - 6);
      out.reply_or_forward = true;
      continue;
    }
    break;
  }
  // What is left may start with blanks the leaders did not take ("[fwd: x]").
  size_t first = 0;
  while (first < s.size() && wsp(s[first])) ++first;
  out.text = std::string(s.substr(first));
  return out;
}

}  // namespace postern::imap
