// RFC 6376 §3.4 canonicalization, starting with the worked example of §3.4.5.
#include "mailauth/canonicalization.hpp"

#include <gtest/gtest.h>

#include "mime/header.hpp"

namespace postern::mailauth {
namespace {

// RFC 6376 §3.4.5: the example message, <SP>/<HTAB>/<CRLF> spelled out.
constexpr std::string_view kExample =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

std::string headers_canonical(std::string_view message, Canon canon) {
  auto h = mime::parse_header_section(message);
  std::string out;
  for (const auto& f : h.fields) out += canonicalize_header(f, canon);
  return out;
}

std::string_view body_of(std::string_view message) {
  return message.substr(mime::parse_header_section(message).body_offset);
}

TEST(Canonicalization, Rfc6376Section345Relaxed) {
  EXPECT_EQ(headers_canonical(kExample, Canon::relaxed), "a:X\r\nb:Y Z\r\n");
  EXPECT_EQ(canonical_body(body_of(kExample), Canon::relaxed), " C\r\nD E\r\n");
}

TEST(Canonicalization, Rfc6376Section345Simple) {
  EXPECT_EQ(headers_canonical(kExample, Canon::simple), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canonical_body(body_of(kExample), Canon::simple), " C \r\nD \t E\r\n");
}

struct BodyCase {
  const char* name;
  std::string_view body;
  std::string_view simple;
  std::string_view relaxed;
};

// RFC 6376 §3.4.3 and §3.4.4, one rule per row.
const BodyCase kBodies[] = {
    {"empty body", "", "\r\n", ""},                                    // §3.4.3 / §3.4.4
    {"only empty lines", "\r\n\r\n\r\n", "\r\n", ""},
    {"whitespace-only lines", " \r\n\t\r\n", " \r\n\t\r\n", ""},       // relaxed: they become empty
    {"trailing empty lines dropped", "a\r\n\r\n\r\n", "a\r\n", "a\r\n"},
    {"inner empty lines kept", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n"},
    {"missing final CRLF added", "a\r\nb", "a\r\nb\r\n", "a\r\nb\r\n"},
    {"bare LF read as CRLF", "a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n"},
    {"WSP runs collapse (relaxed)", "a \t  b\r\n", "a \t  b\r\n", "a b\r\n"},
    {"leading WSP kept as one SP", "\t\ta\r\n", "\t\ta\r\n", " a\r\n"},
    {"trailing WSP removed (relaxed)", "a \t\r\n", "a \t\r\n", "a\r\n"},
    {"bare CR is data", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
};

TEST(Canonicalization, BodyRules) {
  for (const auto& c : kBodies) {
    EXPECT_EQ(canonical_body(c.body, Canon::simple), c.simple) << c.name;
    EXPECT_EQ(canonical_body(c.body, Canon::relaxed), c.relaxed) << c.name;
  }
}

TEST(Canonicalization, RelaxedHeaderUnfoldsAndTrims) {
  // §3.4.2: name lower-cased, CRLF removed, WSP runs to one SP, no WSP
  // around the colon or at the end.
  EXPECT_EQ(relaxed_header("SUBJECT", "  Hello \r\n\t  World\t "), "subject:Hello World");
  EXPECT_EQ(relaxed_header("X \t", ""), "x:");
}

TEST(Canonicalization, SimpleHeaderKeepsBytes) {
  constexpr std::string_view m = "Subject:  Hi  there \r\n  folded\r\n\r\nbody";
  auto h = mime::parse_header_section(m);
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(canonicalize_header(h.fields[0], Canon::simple), "Subject:  Hi  there \r\n  folded\r\n");
  EXPECT_EQ(canonicalize_header(h.fields[0], Canon::relaxed), "subject:Hi there folded\r\n");
}

}  // namespace
}  // namespace postern::mailauth
