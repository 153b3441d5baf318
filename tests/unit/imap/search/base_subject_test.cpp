// RFC 5256 §2.1 base subject extraction.
#include <gtest/gtest.h>

#include "imap/search/base_subject.hpp"

namespace postern::imap {
namespace {

TEST(BaseSubjectTest, Rfc5256Examples) {
  struct {
    const char* in;
    const char* base;
    bool reply;
  } cases[] = {
      {"Hello", "hello", false},
      {"Re: Hello", "hello", true},
      {"RE: re: Re:hello", "hello", true},
      {"Fwd: Hello", "hello", true},
      {"FW: Hello", "hello", true},
      {"Re[2]: Hello", "hello", true},          // subj-refwd with a blob
      {"[list] Re: Hello", "hello", true},       // blobs before the leader
      {"[list] Hello", "hello", false},          // step (4): a leading blob
      {"[list]", "[list]", false},               // ... unless nothing would remain
      {"Re: [list] Re: Hello", "hello", true},
      {"Hello (fwd)", "hello", true},            // step (2)
      {"Hello (fwd) (FWD)  ", "hello", true},
      {"[Fwd: Re: Hello]", "hello", true},       // step (6)
      {"[fwd: [fwd: hello]]", "hello", true},
      {"Re:   lots\t of\r\n  space ", "lots of space", true},  // step (1)
      {"Refresh: now", "refresh: now", false},   // "re" must be followed by ":"
      {"Fwdx: y", "fwdx: y", false},
      {"", "", false},
      {"Re:", "", true},
      {"Re: Café", "cafe\xcc\x81", true},        // folded for comparison
  };
  for (const auto& c : cases) {
    auto b = base_subject(c.in);
    EXPECT_EQ(b.text, c.base) << c.in;
    EXPECT_EQ(b.reply_or_forward, c.reply) << c.in;
  }
}

}  // namespace
}  // namespace postern::imap
