// MX record handling (RFC 5321 §5.1, RFC 7505 null MX) without a network.
#include <gtest/gtest.h>

#include "dns/resolver.hpp"

namespace postern::dns {
namespace {

std::string rdata(uint16_t pref, std::initializer_list<std::string> labels) {
  std::string out;
  out.push_back(static_cast<char>(pref >> 8));
  out.push_back(static_cast<char>(pref & 0xff));
  for (const auto& l : labels) {
    out.push_back(static_cast<char>(l.size()));
    out += l;
  }
  out.push_back('\0');
  return out;
}

TEST(Mx, ParsesRdata) {
  MxHost h;
  ASSERT_TRUE(parse_mx_rdata(rdata(10, {"MX1", "Example", "com"}), h));
  EXPECT_EQ(h.preference, 10);
  EXPECT_EQ(h.host, "mx1.example.com");
  ASSERT_TRUE(parse_mx_rdata(rdata(0, {}), h));
  EXPECT_EQ(h.host, "");
  EXPECT_FALSE(parse_mx_rdata(std::string("\0\x0a\x05" "ab", 5), h));  // label runs past the end
  EXPECT_FALSE(parse_mx_rdata(rdata(1, {"a"}) + "x", h));               // trailing bytes
  EXPECT_FALSE(parse_mx_rdata(std::string("\0\x0a\xc0\x0c", 4), h));   // compression pointer
}

TEST(Mx, RefusesLabelsThatAreNotHostNameLabels) {
  // fuzz_dns_mx: a label holding CR LF or a dot made a host name with a line
  // break (into DSN diagnostics) or a fake label boundary.
  MxHost h;
  EXPECT_FALSE(parse_mx_rdata(rdata(5, {"a\r\nb"}), h));
  EXPECT_FALSE(parse_mx_rdata(rdata(5, {"a.", "b"}), h));
  EXPECT_FALSE(parse_mx_rdata(rdata(5, {"mx", std::string("ex\0ample", 8), "com"}), h));
  EXPECT_FALSE(parse_mx_rdata(rdata(5, {"m x", "example"}), h));
  ASSERT_TRUE(parse_mx_rdata(rdata(5, {"_mx-1", "Example", "com"}), h));
  EXPECT_EQ(h.host, "_mx-1.example.com");
  // The minimized fuzz input: an rdata whose one label is "a." and one
  // whose label holds CR LF, both refused.
  EXPECT_FALSE(parse_mx_rdata(std::string("\x00\x05\x02" "a.\x00", 6), h));
  EXPECT_FALSE(parse_mx_rdata(std::string("\x00\x05\x04" "a\r\nb\x00", 8), h));
}

TEST(Mx, SortedByPreferenceStable) {
  auto r = finish_mx({{20, "c.example"}, {10, "a.example"}, {20, "d.example"}, {10, "b.example"}});
  ASSERT_EQ(r.status, LookupStatus::ok);
  ASSERT_EQ(r.hosts.size(), 4u);
  EXPECT_EQ(r.hosts[0].host, "a.example");
  EXPECT_EQ(r.hosts[1].host, "b.example");
  EXPECT_EQ(r.hosts[2].host, "c.example");
  EXPECT_EQ(r.hosts[3].host, "d.example");
}

TEST(Mx, NullMxMeansNoMail) {
  // RFC 7505 §3: a single MX of "." with preference 0.
  auto r = finish_mx({{0, ""}});
  EXPECT_EQ(r.status, LookupStatus::no_mail);
  // "." next to real hosts is ignored (§4.3 says it must not be there).
  auto mixed = finish_mx({{0, ""}, {10, "mx.example"}});
  ASSERT_EQ(mixed.status, LookupStatus::ok);
  EXPECT_EQ(mixed.hosts.size(), 1u);
}

TEST(Resolver, RejectsABadForwarder) {
  auto r = Resolver::create("not an address");
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace postern::dns
