// ENVELOPE / BODY / BODYSTRUCTURE rendering and BODY[section] slicing from
// the cached structure (RFC 9051 §7.5.2, §6.4.5; RFC 3501 §7.4.2).
#include <gtest/gtest.h>

#include "imap/render/bodystructure.hpp"
#include "imap/render/envelope.hpp"
#include "imap/render/section.hpp"
#include "mime/message_structure.hpp"

namespace postern::imap {
namespace {

std::string envelope_of(std::string_view m, WriterOptions o = {}) {
  return render_envelope(mime::parse_message_structure(m).envelope, o);
}

TEST(RenderEnvelope, AbsentFieldsAreNilAndSenderReplyToDefaultToFrom) {
  // RFC 9051 §7.5.2: absent or empty Sender / Reply-To take From's value.
  EXPECT_EQ(envelope_of("From: a@b\r\nReply-To:\r\n\r\n"),
            "(NIL NIL ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(envelope_of(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(RenderEnvelope, EmptySubjectIsEmptyStringNotNil) {
  EXPECT_EQ(envelope_of("Subject:\r\n\r\n"), "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(RenderEnvelope, QuotingAndLiterals) {
  // Quotes and backslashes are escaped in a quoted string (RFC 9051 §4.3).
  EXPECT_EQ(envelope_of("Subject: say \"hi\" \\o/\r\n\r\n"),
            "(NIL \"say \\\"hi\\\" \\\\o/\" NIL NIL NIL NIL NIL NIL NIL NIL)");
  // 8-bit: a literal in IMAP4rev1, quoted when UTF-8 is enabled and valid.
  EXPECT_EQ(envelope_of("Subject: caf\xC3\xA9\r\n\r\n"),
            "(NIL {5}\r\ncaf\xC3\xA9 NIL NIL NIL NIL NIL NIL NIL NIL)");
  WriterOptions utf8;
  utf8.utf8 = true;
  EXPECT_EQ(envelope_of("Subject: caf\xC3\xA9\r\n\r\n", utf8),
            "(NIL \"caf\xC3\xA9\" NIL NIL NIL NIL NIL NIL NIL NIL)");
  EXPECT_EQ(envelope_of("Subject: caf\xE9\r\n\r\n", utf8), "(NIL {4}\r\ncaf\xE9 NIL NIL NIL NIL NIL NIL NIL NIL)");
  // NUL cannot be sent in any string: it becomes a space.
  EXPECT_EQ(envelope_of(std::string("Subject: a\0b\r\n\r\n", 15)),
            "(NIL \"a b\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(RenderEnvelope, GroupsAreStartAndEndMarkers) {
  // RFC 9051 §7.5.2: group start (NIL NIL "name" NIL), end (NIL NIL NIL NIL).
  EXPECT_EQ(envelope_of("To: undisclosed-recipients:;\r\n\r\n"),
            "(NIL NIL NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
}

TEST(RenderBodystructure, Rfc3501SinglePart) {
  auto s = mime::parse_message_structure("\r\nhello\r\n");
  EXPECT_EQ(render_bodystructure(s.root, false), R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1))");
  EXPECT_EQ(render_bodystructure(s.root, true),
            R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1 NIL NIL NIL NIL))");
}

TEST(RenderBodystructure, MultipartChildrenAreBackToBack) {
  // RFC 9051 §9: body-type-mpart = 1*body SP media-subtype.
  auto s = mime::parse_message_structure(
      "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\nA\r\n--b\r\n\r\nB\r\n--b--\r\n");
  EXPECT_EQ(render_bodystructure(s.root, false),
            R"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 1))"
            R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 1) "alternative"))");
  EXPECT_EQ(render_bodystructure(s.root, true),
            R"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 1 NIL NIL NIL NIL))"
            R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 1 NIL NIL NIL NIL))"
            R"( "alternative" ("boundary" "b") NIL NIL NIL))");
}

TEST(RenderBodystructure, DegradedPartsStayGrammatical) {
  // A multipart without children gets one empty text/plain (as Dovecot does).
  auto s = mime::parse_message_structure("Content-Type: multipart/mixed\r\n\r\nno boundary\r\n");
  EXPECT_EQ(render_bodystructure(s.root, false),
            R"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed"))");
  // An unparsed message/rfc822 still has an envelope and a body.
  auto m = mime::parse_message_structure(
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp4\r\n");
  EXPECT_EQ(render_bodystructure(m.root, false),
            R"(("message" "rfc822" NIL NIL NIL "base64" 22 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) )"
            R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) 1))");
}

constexpr std::string_view kMessage =
    "From: a@x.test\r\n"
    "Subject: fwd\r\n"
    "Content-Type: multipart/mixed; boundary=o\r\n"
    "\r\n"
    "--o\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see attached\r\n"
    "--o\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: b@y.test\r\n"
    "Subject: inner\r\n"
    "X-Folded: one\r\n"
    " two\r\n"
    "\r\n"
    "inner body\r\n"
    "--o--\r\n";

std::string section(std::vector<uint32_t> part, SectionText text, std::vector<std::string> fields = {}) {
  static const auto s = mime::parse_message_structure(kMessage);
  Section sec{std::move(part), text, std::move(fields)};
  auto b = section_bytes(kMessage, s, sec);
  return b ? std::string(b->data()) : "<none>";
}

TEST(SectionBytes, Rfc9051Section645) {
  using T = SectionText;
  EXPECT_EQ(section({}, T::none), kMessage);
  EXPECT_EQ(section({}, T::header), "From: a@x.test\r\nSubject: fwd\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n");
  EXPECT_EQ(section({}, T::text).substr(0, 5), "--o\r\n");
  EXPECT_EQ(section({1}, T::none), "see attached");
  EXPECT_EQ(section({1}, T::mime), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(section({2}, T::mime), "Content-Type: message/rfc822\r\n\r\n");
  // A message/rfc822 part: its body is the whole embedded message; HEADER
  // and TEXT refer to the embedded message.
  EXPECT_EQ(section({2}, T::none), "From: b@y.test\r\nSubject: inner\r\nX-Folded: one\r\n two\r\n\r\ninner body");
  EXPECT_EQ(section({2}, T::header), "From: b@y.test\r\nSubject: inner\r\nX-Folded: one\r\n two\r\n\r\n");
  EXPECT_EQ(section({2}, T::text), "inner body");
  // 2.1: the embedded message is not multipart, so its part 1 is its body.
  EXPECT_EQ(section({2, 1}, T::none), "inner body");
  EXPECT_EQ(section({2, 1}, T::mime), "From: b@y.test\r\nSubject: inner\r\nX-Folded: one\r\n two\r\n\r\n");
  // Nonexistent sections.
  EXPECT_EQ(section({3}, T::none), "<none>");
  EXPECT_EQ(section({1}, T::header), "<none>");  // not a message/rfc822 part
  EXPECT_EQ(section({}, T::mime), "<none>");
}

TEST(SectionBytes, HeaderFields) {
  using T = SectionText;
  // Fields as written (folding kept), in message order, then the blank line.
  EXPECT_EQ(section({}, T::header_fields, {"SUBJECT", "from", "x-none"}), "From: a@x.test\r\nSubject: fwd\r\n\r\n");
  EXPECT_EQ(section({2}, T::header_fields, {"x-folded"}), "X-Folded: one\r\n two\r\n\r\n");
  EXPECT_EQ(section({2}, T::header_fields_not, {"From", "X-Folded"}), "Subject: inner\r\n\r\n");
  EXPECT_EQ(section({}, T::header_fields, {"nothing"}), "\r\n");
}

TEST(SectionBytes, HeaderFieldsWithoutFinalLineEnd) {
  EXPECT_EQ(filter_header_fields("A: 1\r\nB: 2", {"b"}, false), "B: 2\r\n\r\n");
  EXPECT_EQ(filter_header_fields("", {"b"}, true), "\r\n");
}

TEST(SectionBytes, StaleCacheNeverReadsPastTheMessage) {
  auto s = mime::parse_message_structure(kMessage);
  std::string_view shorter = kMessage.substr(0, 20);
  Section sec{{2}, SectionText::none, {}};
  auto b = section_bytes(shorter, s, sec);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data(), "");
}

}  // namespace
}  // namespace postern::imap
