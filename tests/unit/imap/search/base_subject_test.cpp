// RFC 5256 §2.1 base subject extraction.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

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

// Subjects are sender-controlled and as long as the message allows: each
// step must take time linear in the subject. Removing one leading blob at a
// time (each removal an erase, each preceded by a rescan of the remaining
// blobs) and copying the rest for every "[fwd:" level were quadratic.
TEST(BaseSubjectTest, LongRunsOfBlobsAndFwdAreLinear) {
  std::string blobs;
  for (int i = 0; i < 200000; ++i) blobs += "[a]";
  std::string fwd, close;
  for (int i = 0; i < 100000; ++i) {
    fwd += "[fwd: ";
    close += "]";
  }
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(base_subject(blobs + " x").text, "x");
  EXPECT_EQ(base_subject(blobs).text, "[a]");  // the last blob stays: nothing would remain
  EXPECT_EQ(base_subject(blobs + " re: [b] [c] y").text, "y");
  auto nested = base_subject(fwd + "x" + close);
  EXPECT_EQ(nested.text, "x");
  EXPECT_TRUE(nested.reply_or_forward);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(BaseSubjectTest, BlobChainsAndLeadersInterleaved) {
  struct {
    const char* in;
    const char* base;
    bool reply;
  } cases[] = {
      {"[a][b] [c] Re: [d] x", "x", true},
      {"[a] [b] re[c]: [d] [e]", "[e]", true},
      {"[a][b][c]   ", "[c]", false},
      {"[a] [b] (fwd)", "[b]", true},
      {"[a] [fwd: [b] x]", "x", true},
      {"[fwd: [a] [b]]", "[b]", true},
      {"[a] [b", "[b", false},
      {"  [a]  re:  fw[x]: [y] z (fwd) ", "z", true},
  };
  for (const auto& c : cases) {
    auto b = base_subject(c.in);
    EXPECT_EQ(b.text, c.base) << c.in;
    EXPECT_EQ(b.reply_or_forward, c.reply) << c.in;
  }
}

}  // namespace
}  // namespace postern::imap
