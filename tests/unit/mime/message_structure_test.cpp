// MIME structure parsing: defaults, offsets, boundaries, nesting, limits,
// part numbering. Golden ENVELOPE/BODYSTRUCTURE renderings live with the
// IMAP renderer's tests; these check the parsed tree itself.
#include <gtest/gtest.h>

#include <vector>

#include "mime/message_structure.hpp"

namespace postern::mime {
namespace {

std::string header(std::string_view m, const Part& p) { return std::string(part_header(m, p)); }
std::string body(std::string_view m, const Part& p) { return std::string(part_body(m, p)); }

TEST(Structure, EmptyMessageIsEmptyTextPlain) {
  auto s = parse_message_structure("");
  EXPECT_EQ(s.root.type, "text");
  EXPECT_EQ(s.root.subtype, "plain");
  ASSERT_EQ(s.root.params.size(), 1u);  // RFC 2045 §5.2 default charset
  EXPECT_EQ(s.root.params[0].name, "charset");
  EXPECT_EQ(s.root.params[0].value, "us-ascii");
  EXPECT_EQ(s.root.encoding, "7bit");
  EXPECT_EQ(s.root.header_size, 0u);
  EXPECT_EQ(s.root.body_size, 0u);
  EXPECT_EQ(s.root.body_lines, 0u);
  EXPECT_EQ(s.part_count, 1u);
  EXPECT_FALSE(s.envelope.subject);
}

TEST(Structure, SimpleTextOffsetsAndLines) {
  std::string m = "Subject: hi\r\nContent-Type: TEXT/Plain; charset=UTF-8\r\n\r\nline 1\r\nline 2\r\nlast";
  auto s = parse_message_structure(m);
  EXPECT_EQ(header(m, s.root), "Subject: hi\r\nContent-Type: TEXT/Plain; charset=UTF-8\r\n\r\n");
  EXPECT_EQ(body(m, s.root), "line 1\r\nline 2\r\nlast");
  EXPECT_EQ(s.root.body_lines, 3u);  // an unterminated last line counts
  ASSERT_EQ(s.root.params.size(), 1u);
  EXPECT_EQ(s.root.params[0].value, "UTF-8");
  EXPECT_EQ(*s.envelope.subject, "hi");
}

TEST(Structure, BadContentTypeDefaultsToTextPlain) {
  // RFC 2045 §5.2.
  auto s = parse_message_structure("Content-Type: garbage\r\nContent-Transfer-Encoding: BASE64\r\n\r\nx");
  EXPECT_EQ(s.root.type, "text");
  EXPECT_EQ(s.root.subtype, "plain");
  EXPECT_EQ(s.root.encoding, "base64");
}

TEST(Structure, NoHeaderBodySeparator) {
  std::string m = "Subject: x\r\nthis is not a header\r\nmore\r\n";
  auto s = parse_message_structure(m);
  EXPECT_EQ(header(m, s.root), "Subject: x\r\n");
  EXPECT_EQ(body(m, s.root), "this is not a header\r\nmore\r\n");
  EXPECT_EQ(s.root.body_lines, 2u);
}

TEST(Structure, HeaderOnly) {
  std::string m = "Subject: x\r\n";
  auto s = parse_message_structure(m);
  EXPECT_EQ(header(m, s.root), m);
  EXPECT_EQ(s.root.body_size, 0u);
}

constexpr std::string_view kAlternative =
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "plain\r\n"
    "--b1  \r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>html</p>\r\n"
    "\r\n"
    "--b1--\r\n"
    "epilogue\r\n";

TEST(Structure, MultipartSplitsOnDelimiterLines) {
  // RFC 2046 §5.1.1: preamble and epilogue ignored; the CRLF before a
  // delimiter belongs to it; transport padding after the boundary is allowed.
  std::string_view m = kAlternative;
  auto s = parse_message_structure(m);
  EXPECT_EQ(s.root.subtype, "alternative");
  ASSERT_EQ(s.root.children.size(), 2u);
  const auto& a = s.root.children[0];
  EXPECT_EQ(header(m, a), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(body(m, a), "plain");
  EXPECT_EQ(a.body_lines, 1u);
  const auto& b = s.root.children[1];
  EXPECT_EQ(b.subtype, "html");
  EXPECT_EQ(body(m, b), "<p>html</p>\r\n");
  EXPECT_EQ(b.body_lines, 1u);
  EXPECT_EQ(s.part_count, 3u);
}

TEST(Structure, LfOnlyLineEnds) {
  std::string m(kAlternative);
  std::string lf;
  for (char c : m)
    if (c != '\r') lf += c;
  auto s = parse_message_structure(lf);
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(body(lf, s.root.children[0]), "plain");
  EXPECT_EQ(header(lf, s.root.children[1]), "Content-Type: text/html; charset=utf-8\n\n");
  EXPECT_EQ(body(lf, s.root.children[1]), "<p>html</p>\n");
}

TEST(Structure, MissingCloseDelimiterEndsAtBodyEnd) {
  std::string m = "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\none\r\n--x\r\n\r\ntwo\r\n";
  auto s = parse_message_structure(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(body(m, s.root.children[1]), "two\r\n");
}

TEST(Structure, MissingOrUnusedBoundaryGivesNoChildren) {
  auto s1 = parse_message_structure("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n");
  EXPECT_EQ(s1.root.type, "multipart");
  EXPECT_TRUE(s1.root.children.empty());
  auto s2 = parse_message_structure("Content-Type: multipart/mixed; boundary=y\r\n\r\n--x\r\n\r\nbody\r\n");
  EXPECT_TRUE(s2.root.children.empty());
}

TEST(Structure, BoundaryMustStartALineAndNotBeAPrefix) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n\r\ntext --b inside\r\n--bb not a delimiter\r\n--b--\r\n";
  auto s = parse_message_structure(m);
  ASSERT_EQ(s.root.children.size(), 1u);
  EXPECT_EQ(body(m, s.root.children[0]), "text --b inside\r\n--bb not a delimiter");
}

TEST(Structure, NestedMultipartAndUnclosedInner) {
  // The outer delimiter ends the inner multipart even without its close delimiter.
  std::string m =
      "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=inner\r\n\r\n"
      "--inner\r\n\r\nA\r\n"
      "--inner\r\n\r\nB\r\n"
      "--outer\r\n"
      "Content-Type: application/pdf; name=x.pdf\r\n"
      "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n"
      "AAAA\r\n"
      "--outer--\r\n";
  auto s = parse_message_structure(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  const auto& alt = s.root.children[0];
  ASSERT_EQ(alt.children.size(), 2u);
  EXPECT_EQ(body(m, alt.children[1]), "B");
  const auto& pdf = s.root.children[1];
  EXPECT_EQ(pdf.type, "application");
  ASSERT_TRUE(pdf.disposition);
  EXPECT_EQ(pdf.disposition->type, "attachment");
  EXPECT_EQ(pdf.disposition->params[0].decoded, "r\xC3\xA9sum\xC3\xA9.pdf");
  EXPECT_EQ(s.part_count, 5u);
}

TEST(Structure, DigestDefaultsToMessageRfc822) {
  // RFC 2046 §5.1.5.
  std::string m =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n"
      "--d\r\nContent-Type: text/plain\r\n\r\nnot a message\r\n"
      "--d--\r\n";
  auto s = parse_message_structure(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  const auto& d1 = s.root.children[0];
  EXPECT_EQ(d1.type, "message");
  EXPECT_EQ(d1.subtype, "rfc822");
  EXPECT_TRUE(d1.params.empty());
  ASSERT_TRUE(d1.envelope);
  EXPECT_EQ(*d1.envelope->subject, "one");
  ASSERT_EQ(d1.children.size(), 1u);
  EXPECT_EQ(body(m, d1.children[0]), "first");
  EXPECT_EQ(s.root.children[1].type, "text");
}

constexpr std::string_view kForward =
    "From: a@x.test\r\n"
    "Subject: fwd\r\n"
    "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
    "--o\r\n\r\nsee attached\r\n"
    "--o\r\n"
    "Content-Type: message/rfc822\r\n\r\n"
    "From: b@y.test\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/alternative; boundary=i\r\n\r\n"
    "--i\r\n\r\nplain\r\n"
    "--i\r\nContent-Type: text/html\r\n\r\nhtml\r\n"
    "--i--\r\n"
    "--o--\r\n";

TEST(Structure, EmbeddedMessageHasEnvelopeAndStructure) {
  // RFC 2046 §5.2.1.
  std::string_view m = kForward;
  auto s = parse_message_structure(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  const auto& rfc822 = s.root.children[1];
  ASSERT_TRUE(rfc822.is_message());
  ASSERT_TRUE(rfc822.envelope);
  EXPECT_EQ(*rfc822.envelope->subject, "inner");
  EXPECT_EQ(rfc822.envelope->from[0].host, "y.test");
  ASSERT_EQ(rfc822.children.size(), 1u);
  const auto& inner = rfc822.children[0];
  EXPECT_EQ(body(m, rfc822), std::string(header(m, inner)) + body(m, inner));
  ASSERT_EQ(inner.children.size(), 2u);
  EXPECT_EQ(body(m, inner.children[1]), "html");
  EXPECT_EQ(s.part_count, 6u);
}

TEST(Structure, PartNumbersFollowRfc9051Section645) {
  std::string_view m = kForward;
  auto s = parse_message_structure(m);
  auto at = [&](std::vector<uint32_t> path) { return find_part(s, path); };
  EXPECT_EQ(at({}), nullptr);
  EXPECT_EQ(at({1}), &s.root.children[0]);
  EXPECT_EQ(at({2}), &s.root.children[1]);
  // Sub-parts of a message/rfc822 part are those of the embedded message's body.
  EXPECT_EQ(at({2, 1}), &s.root.children[1].children[0].children[0]);
  EXPECT_EQ(at({2, 2}), &s.root.children[1].children[0].children[1]);
  EXPECT_EQ(at({2, 3}), nullptr);
  EXPECT_EQ(at({3}), nullptr);
  EXPECT_EQ(at({0}), nullptr);
  EXPECT_EQ(at({1, 1}), nullptr);
  // A non-multipart message: part 1 is its body.
  auto single = parse_message_structure("Subject: x\r\n\r\nbody");
  std::vector<uint32_t> one{1}, two{2}, one_one{1, 1};
  EXPECT_EQ(find_part(single, one), &single.root);
  EXPECT_EQ(find_part(single, two), nullptr);
  EXPECT_EQ(find_part(single, one_one), nullptr);
}

TEST(Structure, EncodedEmbeddedMessageIsOpaque) {
  // RFC 2046 §5.2.1 forbids base64 on message/rfc822: not parsed.
  auto s = parse_message_structure(
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp4\r\n");
  EXPECT_TRUE(s.root.children.empty());
  EXPECT_FALSE(s.root.envelope);
}

std::string nested_multiparts(int depth) {
  std::string m;
  for (int i = 0; i < depth; ++i)
    m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
  m += "\r\nleaf\r\n";
  return m;
}

TEST(Structure, DepthLimitMakesDeeperPartsOpaque) {
  auto s = parse_message_structure(nested_multiparts(500));
  EXPECT_TRUE(s.truncated);
  size_t depth = 0;
  const Part* p = &s.root;
  while (!p->children.empty()) {
    p = &p->children[0];
    ++depth;
  }
  EXPECT_EQ(depth, 100u);
  EXPECT_EQ(p->type, "multipart");  // kept its type, not split further
  EXPECT_EQ(s.part_count, 101u);
}

TEST(Structure, DeepNestingOverALargeBodyIsBounded) {
  // Each level scans its own range: past 16 × the message size of boundary
  // search, deeper multiparts stay opaque instead of costing depth × size.
  std::string m;
  for (int i = 0; i < 60; ++i)
    m += "Content-Type: multipart/mixed; boundary=n" + std::to_string(i) + "\r\n\r\n--n" + std::to_string(i) + "\r\n";
  m += "\r\n" + std::string(8 << 20, '-');
  auto s = parse_message_structure(m);
  EXPECT_TRUE(s.truncated);
  EXPECT_GE(s.part_count, 16u);
  EXPECT_LT(s.part_count, 30u);
}

TEST(Structure, NestedMessagesCountTowardsDepth) {
  std::string m;
  for (int i = 0; i < 300; ++i) m += "Content-Type: message/rfc822\r\n\r\n";
  m += "Subject: bottom\r\n\r\nx";
  StructureLimits limits;
  limits.max_depth = 10;
  auto s = parse_message_structure(m, limits);
  EXPECT_TRUE(s.truncated);
  EXPECT_EQ(s.part_count, 11u);
}

TEST(Structure, PartCountLimit) {
  std::string m = "Content-Type: multipart/mixed; boundary=z\r\n\r\n";
  for (int i = 0; i < 20000; ++i) m += "--z\r\n\r\nx\r\n";
  m += "--z--\r\n";
  auto s = parse_message_structure(m);
  EXPECT_TRUE(s.truncated);
  EXPECT_EQ(s.part_count, 10000u);
  EXPECT_EQ(s.root.children.size(), 9999u);
}

TEST(Structure, EnvelopeFieldsRawAndUnfolded) {
  auto s = parse_message_structure(
      "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
      "Subject: =?utf-8?q?caf=C3=A9?=\r\n  folded\r\n"
      "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
      "To: undisclosed-recipients:;\r\n"
      "Message-ID: <B27397-0100000@Blurdybloop.example>\r\n"
      "In-Reply-To: <a@b>\r\n\r\n");
  const auto& e = s.envelope;
  EXPECT_EQ(*e.date, "Mon, 7 Feb 1994 21:52:25 -0800 (PST)");
  EXPECT_EQ(*e.subject, "=?utf-8?q?caf=C3=A9?=  folded");
  ASSERT_EQ(e.to.size(), 2u);
  EXPECT_TRUE(e.to[0].is_group_start());
  EXPECT_TRUE(e.to[1].is_group_end());
  EXPECT_TRUE(e.sender.empty());  // the renderer substitutes From
  EXPECT_EQ(*e.message_id, "<B27397-0100000@Blurdybloop.example>");
  EXPECT_EQ(*e.in_reply_to, "<a@b>");
  // Sort keys are decoded.
  EXPECT_EQ(s.sort.subject, "caf\xC3\xA9  folded");
  EXPECT_EQ(s.sort.date, 760686745);  // 1994-02-08T05:52:25Z
  EXPECT_EQ(s.sort.from_mailbox, "foobar");
  EXPECT_EQ(s.sort.from_display, "Fred Foobar");
  EXPECT_EQ(s.sort.to_display, "");
}

TEST(Structure, EightBitHeadersAreKept) {
  auto s = parse_message_structure("Subject: caf\xC3\xA9 \xE9\r\nFrom: J\xC3\xB6rg <j@x>\r\n\r\n");
  EXPECT_EQ(*s.envelope.subject, "caf\xC3\xA9 \xE9");
  EXPECT_EQ(*s.envelope.from[0].name, "J\xC3\xB6rg");
  EXPECT_EQ(s.sort.subject, "caf\xC3\x83\xC2\xA9 \xC3\xA9");  // not valid UTF-8 as a whole: Latin-1
}

TEST(Structure, ContentFieldsOfAPart) {
  auto s = parse_message_structure(
      "Content-Type: image/png; name=\"a.png\"\r\n"
      "Content-ID: <img1@x>\r\n"
      "Content-Description: a\r\n picture\r\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
      "Content-Language: en, fr\r\n"
      "Content-Location: http://x.test/a.png\r\n"
      "Content-Disposition: inline\r\n\r\n");
  const auto& p = s.root;
  EXPECT_EQ(*p.id, "<img1@x>");
  EXPECT_EQ(*p.description, "a picture");
  EXPECT_EQ(*p.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
  EXPECT_EQ(p.language, (std::vector<std::string>{"en", "fr"}));
  EXPECT_EQ(*p.location, "http://x.test/a.png");
  EXPECT_EQ(p.disposition->type, "inline");
  EXPECT_TRUE(p.disposition->params.empty());
}

TEST(Structure, OffsetsStayInsideForAnyPrefix) {
  // Every truncation of a nested message still parses with in-range offsets.
  std::string full(kForward);
  for (size_t n = 0; n <= full.size(); ++n) {
    std::string m = full.substr(0, n);
    auto s = parse_message_structure(m);
    std::vector<const Part*> stack{&s.root};
    while (!stack.empty()) {
      const Part* p = stack.back();
      stack.pop_back();
      ASSERT_LE(p->body_offset + p->body_size, m.size()) << n;
      ASSERT_EQ(p->header_offset + p->header_size, p->body_offset) << n;
      for (const auto& c : p->children) stack.push_back(&c);
    }
  }
}

}  // namespace
}  // namespace postern::mime
