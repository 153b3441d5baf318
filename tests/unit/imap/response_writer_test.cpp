// Response writer: string form selection (RFC 9051 §4.3), escaping, lists,
// status responses with codes, continuations, text sanitizing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/proto/response_writer.hpp"

namespace postern::imap {
namespace {

using namespace std::string_literals;

TEST(ResponseWriter, StringForms) {
  struct Case {
    std::string in;
    bool utf8;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"hello", false, "\"hello\""},
      {"", false, "\"\""},
      {"a \"b\" \\c", false, "\"a \\\"b\\\" \\\\c\""},
      {"line\r\nbreak", false, "{11}\r\nline\r\nbreak"},
      {"caf\xc3\xa9", false, "{5}\r\ncaf\xc3\xa9"},  // 8-bit: literal for rev1
      {"caf\xc3\xa9", true, "\"caf\xc3\xa9\""},      // RFC 9051 §9 quoted-char UTF8-2
      {"bad\xc3", true, "{4}\r\nbad\xc3"},
      {std::string(1025, 'x'), false, "{1025}\r\n" + std::string(1025, 'x')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    std::string out;
    ResponseBuilder(out, {c.utf8}).string(c.in);
    EXPECT_EQ(out, c.out);
  }
}

TEST(ResponseWriter, AstringNstringBinary) {
  std::string out;
  ResponseBuilder r(out);
  r.astring("INBOX").astring("a b").astring("nil").astring("").astring("a]b").nstring(std::nullopt).nstring("x");
  EXPECT_EQ(out, "INBOX \"a b\" \"nil\" \"\" a]b NIL \"x\"");
  out.clear();
  ResponseBuilder(out).binary("a\0b"s).binary("ab");  // RFC 3516 §4.2 literal8
  EXPECT_EQ(out, "~{3}\r\na\0b \"ab\""s);
}

TEST(ResponseWriter, FetchLine) {
  std::string out;
  ResponseBuilder r(out);
  r.untagged().number(12).atom("FETCH").open().atom("UID").number(7).atom("FLAGS").open().atom("\\Seen").atom(
      "\\Answered").close().atom("BODY[HEADER.FIELDS (FROM)]").literal("From: a\r\n\r\n").close().end();
  EXPECT_EQ(out, "* 12 FETCH (UID 7 FLAGS (\\Seen \\Answered) BODY[HEADER.FIELDS (FROM)] {11}\r\nFrom: a\r\n\r\n)\r\n");
  out.clear();
  ResponseBuilder(out).untagged().atom("LIST").open().close().string("/").astring("INBOX").end();
  EXPECT_EQ(out, "* LIST () \"/\" INBOX\r\n");
}

TEST(ResponseWriter, StatusResponses) {
  std::string out;
  append_tagged(out, "a1", Condition::ok, "SELECT completed", "READ-WRITE");
  append_tagged(out, "a2", Condition::no, "message too large", "TOOBIG");
  append_tagged(out, "a3", Condition::bad, "bad\r\ninjected");
  append_untagged_status(out, Condition::ok, "Predicted next UID", "UIDNEXT", "4392");
  append_untagged_status(out, Condition::bye, "");
  append_continuation(out);
  append_continuation(out, "");
  append_tagged(out, "a4", Condition::ok, "[ALERT] not a code");
  EXPECT_EQ(out,
            "a1 OK [READ-WRITE] SELECT completed\r\n"
            "a2 NO [TOOBIG] message too large\r\n"
            "a3 BAD bad  injected\r\n"
            "* OK [UIDNEXT 4392] Predicted next UID\r\n"
            "* BYE BYE\r\n"
            "+ Ready for literal data\r\n"
            "+ \r\n"
            "a4 OK (ALERT] not a code\r\n");
}

TEST(ResponseWriter, TextEightBit) {
  std::string out;
  ResponseBuilder(out).text("caf\xc3\xa9");
  EXPECT_EQ(out, "caf??");
  out.clear();
  ResponseBuilder(out, {true}).text("caf\xc3\xa9");
  EXPECT_EQ(out, "caf\xc3\xa9");
}

}  // namespace
}  // namespace postern::imap
