// pop3/message_encoder: byte-stuffing, CRLF, TOP limits, any chunking.
#include <gtest/gtest.h>

#include "pop3/message_encoder.hpp"

namespace postern::pop3 {
namespace {

std::string encode_in_chunks(std::string_view msg, size_t chunk, std::optional<uint64_t> top = std::nullopt) {
  MessageEncoder e(top);
  std::string out;
  for (size_t i = 0; i < msg.size(); i += chunk)
    if (!e.encode(msg.substr(i, chunk), out)) break;
  e.finish(out);
  return out;
}

struct Case {
  std::string name;
  std::string in;
  std::optional<uint64_t> top;
  std::string out;
};

TEST(Pop3MessageEncoder, Table) {
  std::vector<Case> cases = {
      {"plain", "A: b\r\n\r\nbody\r\n", std::nullopt, "A: b\r\n\r\nbody\r\n.\r\n"},
      // RFC 1939 §3: byte-stuff lines beginning with '.'.
      {"stuffing", "A: b\r\n\r\n.\r\n..x\r\n.end", std::nullopt, "A: b\r\n\r\n..\r\n...x\r\n..end\r\n.\r\n"},
      {"bare LF becomes CRLF", "A: b\n\nx\n.y\n", std::nullopt, "A: b\r\n\r\nx\r\n..y\r\n.\r\n"},
      {"no final line end", "A: b\r\n\r\nlast", std::nullopt, "A: b\r\n\r\nlast\r\n.\r\n"},
      {"empty message", "", std::nullopt, ".\r\n"},
      // RFC 1939 §7 TOP: headers, the blank line, then n body lines.
      {"top 0", "A: b\r\nC: d\r\n\r\n1\r\n2\r\n", 0, "A: b\r\nC: d\r\n\r\n.\r\n"},
      {"top 2", "A: b\r\n\r\n1\r\n.2\r\n3\r\n", 2, "A: b\r\n\r\n1\r\n..2\r\n.\r\n"},
      {"top more than body", "A: b\r\n\r\n1\r\n", 10, "A: b\r\n\r\n1\r\n.\r\n"},
  };
  for (const auto& c : cases) {
    for (size_t chunk : {1, 2, 3, 7, 1000}) {
      EXPECT_EQ(encode_in_chunks(c.in, chunk, c.top), c.out) << c.name << " chunk " << chunk;
    }
  }
}

TEST(Pop3MessageEncoder, TopStopsAsking) {
  MessageEncoder e(1);
  std::string out;
  EXPECT_TRUE(e.encode("A: b\r\n\r\n", out));
  EXPECT_FALSE(e.encode("line1\r\nline2\r\n", out));
  EXPECT_TRUE(e.done());
}

}  // namespace
}  // namespace postern::pop3
