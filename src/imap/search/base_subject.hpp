// RFC 5256 §2.1 base subject extraction, for SORT SUBJECT and THREAD: the
// subject with "Re:", "Fwd:", "[list]" blobs, "(fwd)" trailers and
// "[fwd: ...]" wrappers removed, in the case-folded form of casefold.hpp
// so that equal base subjects compare equal byte for byte.
#pragma once

#include <string>
#include <string_view>

namespace postern::imap {

struct BaseSubject {
  std::string text;                // folded; "" when nothing is left
  bool reply_or_forward = false;   // a subj-refwd, "(fwd)" or "[fwd: ...]" was removed (§2.1, THREAD step 5)
};

// `subject` is the decoded Subject (RFC 2047 already undone, as
// mime::SortKeys::subject holds it): step (1) of §2.1 is done by the caller.
BaseSubject base_subject(std::string_view subject);

}  // namespace postern::imap
