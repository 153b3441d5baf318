// FETCH arguments: items, macros, sections, partials, modifiers
// (RFC 9051 §6.4.5, RFC 3516, RFC 7162 §3.1.4 / §3.2.6).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "args_harness.hpp"
#include "imap/proto/fetch_args.hpp"

namespace postern::imap {
namespace {

using testing::cmd;

// Renders the parsed items by their response names, "SEEN" marking items that set \Seen.
std::string render(const std::string& line) {
  auto c = cmd(line);
  auto f = parse_fetch(c.args, c.uid);
  if (!f) return "ERR " + f.error().message;
  std::string s;
  for (const auto& i : f->items) {
    if (!s.empty()) s += ' ';
    s += i.response_name();
    if (i.sets_seen()) s += "!";
  }
  if (f->changed_since) s += " changedsince=" + std::to_string(*f->changed_since);
  if (f->vanished) s += " vanished";
  return s;
}

TEST(FetchArgs, Table) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // RFC 9051 §6.4.5 macros.
      {"t FETCH 1 ALL", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE"},
      {"t FETCH 1 fast", "FLAGS INTERNALDATE RFC822.SIZE"},
      {"t FETCH 1 FULL", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY"},
      {"t FETCH 1 (ALL)", "ERR unknown FETCH item ALL"},  // macros only stand alone
      {"t FETCH 1:* (FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE)",
       "FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE"},
      {"t FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)", "RFC822! RFC822.HEADER RFC822.TEXT!"},
      {"t FETCH 1 (MODSEQ EMAILID THREADID SAVEDATE)", "MODSEQ EMAILID THREADID SAVEDATE"},
      {"t FETCH 1 BODY[]", "BODY[]!"},
      {"t FETCH 1 body.peek[]", "BODY[]"},
      {"t FETCH 1 BODY[]<0.2048>", "BODY[]<0>!"},
      {"t FETCH 1 BODY.PEEK[HEADER.FIELDS (FROM TO)]<10.20>", "BODY[HEADER.FIELDS (FROM TO)]<10>"},
      {"t FETCH 1 BODY[1.2.HEADER.FIELDS.NOT (\"X-Spam\" Received)]", "BODY[1.2.HEADER.FIELDS.NOT (X-Spam Received)]!"},
      {"t FETCH 1 (BODY[1.MIME] BODY[2.TEXT] BODY[3.HEADER] BODY[4])",
       "BODY[1.MIME]! BODY[2.TEXT]! BODY[3.HEADER]! BODY[4]!"},
      {"t FETCH 1 (BINARY[1.2] BINARY.PEEK[]<0.100> BINARY.SIZE[3])", "BINARY[1.2]! BINARY[]<0> BINARY.SIZE[3]"},
      {"t FETCH 1 BODY[MIME]", "ERR MIME section needs a part number"},
      {"t FETCH 1 BINARY[HEADER]", "ERR BINARY sections take part numbers only (RFC 3516)"},
      {"t FETCH 1 BINARY.SIZE[1]<0.10>", "ERR BINARY.SIZE takes no partial"},
      {"t FETCH 1 BODY[0]", "ERR invalid section part number"},
      {"t FETCH 1 BODY[1.]", "ERR invalid section (trailing '.')"},
      {"t FETCH 1 BODY[HEADER.FIELDS]", "ERR HEADER.FIELDS needs a list of field names"},
      {"t FETCH 1 BODY[HEADER.FIELDS ()]", "ERR invalid header field list in section"},
      {"t FETCH 1 BODY[HEADER.FIELDS (A:B)]", "ERR invalid header field name in section"},
      {"t FETCH 1 BODY[TEXT X]", "ERR unexpected text after section"},
      {"t FETCH 1 BODY[FOO]", "ERR invalid section text"},
      {"t FETCH 1 BODY[]<0.0>", "ERR partial length must be at least 1"},
      {"t FETCH 1 BODY[]<5>", "ERR partial needs <offset.length>"},
      {"t FETCH 1 BODY[]x", "ERR invalid text after section"},
      {"t FETCH 1 (FLAGS \"UID\")", "ERR invalid FETCH item"},
      {"t FETCH 1 ()", "ERR empty FETCH item list"},
      {"t FETCH 1 XYZZY", "ERR unknown FETCH item XYZZY"},
      {"t FETCH 0 FLAGS", "ERR sequence numbers start at 1 and have no leading zero"},
      {"t FETCH 1", "ERR FETCH needs a sequence set and data items"},
      // RFC 9051 §6.4.9: UID FETCH always returns UID.
      {"t UID FETCH 1:* FLAGS", "FLAGS UID"},
      // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ.
      {"t FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", "FLAGS MODSEQ changedsince=12345"},
      {"t UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)", "FLAGS UID MODSEQ changedsince=12345 vanished"},
      {"t FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)", "ERR VANISHED needs UID FETCH with CHANGEDSINCE"},
      {"t UID FETCH 1:* (FLAGS) (VANISHED)", "ERR VANISHED needs UID FETCH with CHANGEDSINCE"},
      {"t FETCH 1 FLAGS (CHANGEDSINCE 0)", "ERR invalid CHANGEDSINCE value"},
      {"t FETCH 1 FLAGS (FOO)", "ERR unknown FETCH modifier"},
  };
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(in);
    EXPECT_EQ(render(in), want);
  }
}

TEST(FetchArgs, SectionDetails) {
  auto item = parse_fetch_item("BODY.PEEK[1.2.HEADER.FIELDS (From \"To\")]<100.200>");
  ASSERT_TRUE(item.ok()) << item.error().message;
  EXPECT_EQ(item->attr, FetchAttr::body_section);
  EXPECT_TRUE(item->peek);
  EXPECT_EQ(item->section.part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(item->section.text, SectionText::header_fields);
  EXPECT_EQ(item->section.fields, (std::vector<std::string>{"From", "To"}));
  ASSERT_TRUE(item->partial);
  EXPECT_EQ(item->partial->offset, 100u);
  EXPECT_EQ(item->partial->length, 200u);
  FetchLimits l;
  l.max_section_parts = 2;
  EXPECT_FALSE(parse_fetch_item("BODY[1.2.3]", l).ok());
}

}  // namespace
}  // namespace postern::imap
