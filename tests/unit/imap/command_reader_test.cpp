// CommandReader: every literal form (synchronizing, LITERAL+, LITERAL-,
// literal8), every limit, resynchronization after errors, and the rule that
// byte-at-a-time feeding yields exactly the events of whole-buffer feeding.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/proto/command_reader.hpp"
#include "reader_harness.hpp"

namespace postern::imap {
namespace {

using namespace std::string_literals;
using testing::run;
using Events = std::vector<std::string>;

struct ReaderCase {
  std::string name;
  std::string input;
  Events expected;
  ReaderLimits limits = {};
};

ReaderLimits with_mode(LiteralMode m) {
  ReaderLimits l;
  l.literal_mode = m;
  return l;
}

ReaderLimits small_limits() {
  ReaderLimits l;
  l.max_line = 40;
  l.max_literal = 10;
  l.max_command = 100;
  l.max_discard = 50;
  return l;
}

std::vector<ReaderCase> cases() {
  ReaderLimits no_binary;
  no_binary.binary = false;
  ReaderLimits shallow;
  shallow.parse.max_depth = 2;
  return {
      {"simple", "a1 NOOP\r\n", {"CMD a1 NOOP"}},
      {"bare LF accepted", "a1 NOOP\n", {"CMD a1 NOOP"}},
      {"two pipelined", "a1 NOOP\r\na2 CAPABILITY\r\n", {"CMD a1 NOOP", "CMD a2 CAPABILITY"}},
      // RFC 9051 §4.3: synchronizing literal -> continuation request, then octets.
      {"sync literal", "a LOGIN {4}\r\nuser {4}\r\npass\r\n", {"+", "+", "CMD a LOGIN {4}user {4}pass"}},
      {"sync literal with CRLF inside", "a APPEND x {8}\r\nab\r\ncd\r\n\r\n", {"+", "CMD a APPEND x {8}ab\r\ncd\r\n"}},
      {"zero-length literal", "a LOGIN {0}\r\n {0}\r\n\r\n", {"+", "+", "CMD a LOGIN {0} {0}"}},
      // RFC 7888 §3: {n+} needs no continuation.
      {"LITERAL+", "a LOGIN {4+}\r\nuser {4+}\r\npass\r\n", {"CMD a LOGIN {4}user {4}pass"}},
      {"LITERAL+ refused when sync_only", "a LOGIN {4+}\r\nuser x\r\nb NOOP\r\n",
       {"ERR a BAD non-synchronizing literals are not supported", "CMD b NOOP"}, with_mode(LiteralMode::sync_only)},
      // RFC 7888 §4: LITERAL- allows {n+} up to 4096 octets.
      {"LITERAL- small ok", "a LOGIN {4+}\r\nuser x\r\n", {"CMD a LOGIN {4}user x"}, with_mode(LiteralMode::literal_minus)},
      {"LITERAL- at 4096 ok", "a APPEND x {4096+}\r\n" + std::string(4096, 'm') + "\r\n",
       {"CMD a APPEND x {4096}" + std::string(4096, 'm')}, with_mode(LiteralMode::literal_minus)},
      {"LITERAL- over 4096 swallowed", "a APPEND x {4097+}\r\n" + std::string(4097, 'm') + "\r\nb NOOP\r\n",
       {"ERR a BAD TOOBIG non-synchronizing literal of 4097 octets exceeds 4096 (LITERAL-)", "CMD b NOOP"},
       with_mode(LiteralMode::literal_minus)},
      {"LITERAL- sync over 4096 fine", "a APPEND x {5000}\r\n" + std::string(5000, 'm') + "\r\n",
       {"+", "CMD a APPEND x {5000}" + std::string(5000, 'm')}, with_mode(LiteralMode::literal_minus)},
      // RFC 3516 §4.2: literal8 may carry NUL.
      {"literal8", "a APPEND x ~{3}\r\na\0b\r\n"s, {"+", "CMD a APPEND x ~{3}a\0b"s}},
      {"literal8 non-sync", "a APPEND x ~{3+}\r\na\0b\r\n"s, {"CMD a APPEND x ~{3}a\0b"s}},
      {"literal8 without BINARY", "a APPEND x ~{3}\r\nb NOOP\r\n",
       {"ERR a BAD literal8 ~{n} needs the BINARY extension", "CMD b NOOP"}, no_binary},
      {"NUL in plain literal", "a APPEND x {3}\r\na\0b\r\n"s, {"+", "ERR a BAD NUL octet in a literal; use a literal8 ~{n}"}},
      {"NUL in line", "a NO\0OP\r\nb NOOP\r\n"s, {"ERR a BAD NUL octet in command line", "CMD b NOOP"}},
      {"literal inside list", "a STORE 1 FLAGS (\\Seen {3}\r\nabc)\r\n", {"+", "CMD a STORE #1 FLAGS (\\Seen {3}abc)"}},
      {"braces in quoted are not a literal", "a LOGIN \"x{3}\" \"{3}\"\r\n", {"CMD a LOGIN \"x{3}\" \"{3}\""}},
      {"quoted ending in brace announcement is not a literal", "a LOGIN \"x {3}\r\nb NOOP\r\n",
       {"ERR a BAD unterminated quoted string", "CMD b NOOP"}},
      // A literal announcement where the grammar has none is still framed as one
      // (its octets must never be taken for a command), then rejected.
      {"misplaced announcement framed", "a LOGIN x{3}\r\nb X\r\nc NOOP\r\n",
       {"+", "ERR a BAD unexpected '{' inside an atom", "CMD c NOOP"}},
      // Limits.
      {"literal too big sync: no continuation", "a APPEND x {11}\r\nb NOOP\r\n",
       {"ERR a NO TOOBIG literal of 11 octets exceeds the limit of 10 octets", "CMD b NOOP"}, small_limits()},
      {"literal too big non-sync swallowed", "a APPEND x {11+}\r\n0123456789A\r\nb NOOP\r\n",
       {"ERR a NO TOOBIG literal of 11 octets exceeds the limit of 10 octets", "CMD b NOOP"}, small_limits()},
      {"swallow continues through later non-sync literals", "a APPEND x {11+}\r\n0123456789A {2+}\r\nzz\r\nb NOOP\r\n",
       {"ERR a NO TOOBIG literal of 11 octets exceeds the limit of 10 octets", "CMD b NOOP"}, small_limits()},
      {"non-sync beyond max_discard closes", "a APPEND x {51+}\r\nwhatever\r\nb NOOP\r\n",
       {"ERR a NO TOOBIG CLOSE literal of 51 octets exceeds the limit of 10 octets"}, small_limits()},
      {"literal length overflow", "a APPEND x {99999999999999999999}\r\nb NOOP\r\n",
       {"ERR a NO TOOBIG literal of 2^63 or more octets exceeds the limit of 67108864 octets", "CMD b NOOP"}},
      {"line too long", "a LOGIN " + std::string(40, 'x') + "\r\nb NOOP\r\n",
       {"ERR a BAD TOOBIG command line too long (max 40 octets)", "CMD b NOOP"}, small_limits()},
      // Fuzz regression: a too-long line ending in an oversized {n+} gave
      // different events whole vs. fragmented.
      {"long line then oversized non-sync literal", "a APPEND " + std::string(60, 'x') + " {99+}\r\nzz\r\nb NOOP\r\n",
       {"ERR a BAD TOOBIG command line too long (max 40 octets)",
        "ERR * BAD TOOBIG CLOSE oversized non-synchronizing literal; closing"},
       small_limits()},
      // Fuzz regression: a tag cut by the line limit differed whole vs. fragmented.
      {"long tag on too-long line", std::string(60, 't') + "@x NOOP\r\nb NOOP\r\n",
       {"ERR * BAD TOOBIG command line too long (max 40 octets)", "CMD b NOOP"}, small_limits()},
      // Fuzz regression: quotes in a discarded line must not change its framing.
      {"quotes in discarded line", "a X \"" + std::string(60, 'q') + "\" \"x\" {2+}\r\nzz\r\nb NOOP\r\n",
       {"ERR a BAD TOOBIG command line too long (max 40 octets)", "CMD b NOOP"}, small_limits()},
      {"line at limit ok", "a LOGIN " + std::string(32, 'x') + "\r\n", {"CMD a LOGIN " + std::string(32, 'x')},
       small_limits()},
      // 14 + 10, then 17 per " {10}" line and literal: the 6th literal passes 100.
      {"command too large", "a X {10}\r\n" + std::string(10, 'l') + [] {
         std::string s;
         for (int i = 0; i < 4; ++i) s += " {10}\r\n" + std::string(10, 'l');
         return s;
       }() + " {10}\r\nb NOOP\r\n",
       {"+", "+", "+", "+", "+", "ERR a BAD TOOBIG command too large (max 100 octets)", "CMD b NOOP"}, small_limits()},
      {"nesting limit", "a X ((()))\r\nb X (())\r\n",
       {"ERR a BAD parenthesized lists nested too deeply (max 2)", "CMD b X (())"}, shallow},
      // Parse errors keep the tag so the caller can answer "a BAD ...".
      {"no tag", "\r\n", {"ERR * BAD empty command line"}},
      {"bad tag", "a+b NOOP\r\n", {"ERR * BAD invalid tag"}},
      {"missing name", "a\r\n", {"ERR a BAD missing command name"}},
  };
}

TEST(CommandReader, Table) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(run(c.input, 0, c.limits), c.expected);
  }
}

TEST(CommandReader, ByteAtATimeEqualsWholeBuffer) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    for (size_t chunk : {1, 2, 3, 7, 64}) EXPECT_EQ(run(c.input, chunk, c.limits), c.expected) << "chunk " << chunk;
  }
}

TEST(CommandReader, LongLineWithoutNewlineIsDiscardedUntilLf) {
  // The error comes as soon as the limit is passed, before the LF arrives.
  CommandReader r(small_limits());
  Events out;
  r.feed("a LOGIN " + std::string(60, 'x'));
  testing::drain(r, out);
  ASSERT_EQ(out, (Events{"ERR a BAD TOOBIG command line too long (max 40 octets)"}));
  r.feed(std::string(1000, 'y'));
  testing::drain(r, out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_LT(r.buffered(), 100u);  // discarded, not accumulated
  r.feed("\r\nb NOOP\r\n");
  testing::drain(r, out);
  EXPECT_EQ(out.back(), "CMD b NOOP");
}

TEST(CommandReader, LongLineEndingInNonSyncLiteralSwallowsIt) {
  CommandReader r(small_limits());
  Events out;
  r.feed("a APPEND " + std::string(60, 'x') + " {5+}\r\nhello\r\nb NOOP\r\n");
  testing::drain(r, out);
  EXPECT_EQ(out, (Events{"ERR a BAD TOOBIG command line too long (max 40 octets)", "CMD b NOOP"}));
}

TEST(CommandReader, IdleAndBuffered) {
  CommandReader r;
  EXPECT_TRUE(r.idle());
  r.feed("a LOGIN {3}\r\nab");
  Events out;
  testing::drain(r, out);
  EXPECT_FALSE(r.idle());
  r.feed("c\r\n");
  testing::drain(r, out);
  EXPECT_TRUE(r.idle());
  r.feed("b STARTTLS\r\nc NOOP\r\n");
  auto ev = r.next();
  ASSERT_TRUE(std::holds_alternative<Command>(ev));
  EXPECT_GT(r.buffered(), 0u);  // pipelined after STARTTLS: caller must see it
  r.reset();
  EXPECT_TRUE(r.idle());
}

TEST(CommandReader, SetLimitsBetweenCommands) {
  CommandReader r(with_mode(LiteralMode::sync_only));
  Events out;
  r.feed("a LOGIN {1+}\r\nx y\r\n");
  testing::drain(r, out);
  r.set_limits(with_mode(LiteralMode::literal_plus));
  r.feed("b LOGIN {1+}\r\nx y\r\n");
  testing::drain(r, out);
  EXPECT_EQ(out, (Events{"ERR a BAD non-synchronizing literals are not supported", "CMD b LOGIN {1}x y"}));
}

TEST(CommandReader, ClosedReaderYieldsNothing) {
  CommandReader r(small_limits());
  Events out;
  r.feed("a APPEND x {99999+}\r\n");
  testing::drain(r, out);
  r.feed("b NOOP\r\n");
  testing::drain(r, out);
  EXPECT_EQ(out.size(), 1u);
}

TEST(CommandReader, LargeLiteralStreamsInPieces) {
  CommandReader r;
  Events out;
  r.feed("a APPEND INBOX {1000000}\r\n");
  testing::drain(r, out);
  ASSERT_EQ(out, (Events{"+"}));
  std::string chunk(10000, 'z');
  for (int i = 0; i < 100; ++i) {
    r.feed(chunk);
    testing::drain(r, out);
  }
  r.feed("\r\n");
  auto ev = r.next();
  ASSERT_TRUE(std::holds_alternative<Command>(ev));
  const auto& cmd = std::get<Command>(ev);
  ASSERT_EQ(cmd.args.size(), 2u);
  EXPECT_EQ(cmd.args[1].text.size(), 1000000u);
}

}  // namespace
}  // namespace postern::imap
