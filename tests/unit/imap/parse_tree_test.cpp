// Tokenizer: node kinds, section specs kept as one atom, UID folding, quoting
// rules (RFC 9051 §4.3, §9) and the node accessors typed parsers use.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/proto/parse_tree.hpp"

namespace postern::imap {
namespace {

struct TreeCase {
  std::string input;
  std::string expected;  // to_debug_string of the command, or "ERR <message>"
};

std::string parse(const std::string& in) {
  auto c = parse_command(in);
  return c ? to_debug_string(*c) : "ERR " + c.error().message;
}

TEST(ParseTree, Table) {
  const std::vector<TreeCase> cases = {
      {"a1 noop", "a1 NOOP"},
      {"A001 uid fetch 1:* (FLAGS)", "A001 UID FETCH seq:1:* (FLAGS)"},  // UID prefix folded
      {"t SELECT INBOX", "t SELECT INBOX"},
      {"t FETCH 1,3:5,7:* ALL", "t FETCH seq:1,3:5,7:* ALL"},
      {"t FETCH * FAST", "t FETCH seq:* FAST"},
      {"t SEARCH $", "t SEARCH seq:$"},  // RFC 5182 SEARCHRES
      {"t FETCH 12 BODY[HEADER.FIELDS (FROM TO)]<0.2048>", "t FETCH #12 BODY[HEADER.FIELDS (FROM TO)]<0.2048>"},
      {"t FETCH 1 (BINARY.PEEK[1.2] BODY.PEEK[])", "t FETCH #1 (BINARY.PEEK[1.2] BODY.PEEK[])"},
      {"t FETCH 1 (UID BODY[HEADER.FIELDS.NOT (\"X-A\" B)] FLAGS)",
       "t FETCH #1 (UID BODY[HEADER.FIELDS.NOT (\"X-A\" B)] FLAGS)"},
      {"t STORE 1 +FLAGS.SILENT (\\Seen \\Deleted $Junk)", "t STORE #1 +FLAGS.SILENT (\\Seen \\Deleted $Junk)"},
      {"t LOGIN \"a \\\"q\\\" b\" \"back\\\\slash\"", "t LOGIN \"a \\\"q\\\" b\" \"back\\\\slash\""},
      {"t LIST \"\" %", "t LIST \"\" %"},
      {"t LIST \"\" INBOX.*", "t LIST \"\" INBOX.*"},
      {"t ID nil", "t ID NIL"},
      {"t X () (()) (a (b c))", "t X () (()) (a (b c))"},
      {"t SELECT \"Caf\xc3\xa9\"", "t SELECT \"Caf\xc3\xa9\""},  // RFC 9051 §9 quoted-char UTF8-2
      {"t APPEND x 18446744073709551615", "t APPEND x #18446744073709551615"},
      {"t APPEND x 18446744073709551616", "t APPEND x 18446744073709551616"},  // too big: stays an atom
      {"t NOOP ", "t NOOP"},  // trailing space tolerated
      // Errors, each precise enough to follow "BAD".
      {"t SELECT \"Caf\xc3\"", "ERR invalid UTF-8 in quoted string"},
      {"t SELECT Caf\xc3\xa9", "ERR 8-bit characters must be in a quoted string or literal"},
      {"t LOGIN \"abc", "ERR unterminated quoted string"},
      {"t LOGIN \"a\\bc\"", "ERR invalid escape in quoted string"},
      {"t X (a b", "ERR unterminated parenthesized list"},
      {"t X a)", "ERR expected a space between arguments"},
      {"t X  a", "ERR missing argument"},
      {"t X (a  b)", "ERR missing argument"},
      {"t FETCH 1 BODY[HEADER", "ERR unterminated '[' in an atom"},
      {"t X a\"b", "ERR unexpected '\"' inside an atom"},
      {"t X a\tb", "ERR control character in command"},
      {"t X {3}", "ERR literal announcement must end the line"},
      {"t U@D", "ERR invalid command name"},
      {"t UID", "ERR UID must be followed by a command name"},
      {"t UID  FETCH", "ERR missing command name"},
      {"* NOOP", "ERR invalid tag"},
      {" NOOP", "ERR command line starts with a space"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(parse(c.input), c.expected);
  }
}

TEST(ParseTree, NodeKinds) {
  auto c = parse_command("t X atom 42 1:2 * \"q\" NIL () \\Seen");
  ASSERT_TRUE(c.ok());
  const auto& a = c->args;
  ASSERT_EQ(a.size(), 8u);
  EXPECT_EQ(a[0].kind, NodeKind::atom);
  EXPECT_EQ(a[1].kind, NodeKind::number);
  EXPECT_EQ(a[1].number, 42u);
  EXPECT_EQ(a[2].kind, NodeKind::sequence_set);
  EXPECT_EQ(a[3].kind, NodeKind::sequence_set);
  EXPECT_EQ(a[4].kind, NodeKind::quoted);
  EXPECT_EQ(a[5].kind, NodeKind::nil);
  EXPECT_EQ(a[6].kind, NodeKind::list);
  EXPECT_EQ(a[7].kind, NodeKind::atom);
}

TEST(ParseTree, Accessors) {
  auto c = parse_command("t X INBOX \"q s\" 7 foo%* \\Seen NIL ] a]b");
  ASSERT_TRUE(c.ok());
  const auto& a = c->args;
  EXPECT_EQ(as_astring(a[0]), "INBOX");
  EXPECT_EQ(as_astring(a[1]), "q s");
  EXPECT_EQ(as_astring(a[2]), "7");
  EXPECT_FALSE(as_astring(a[3]));  // RFC 9051 §9: list-wildcards are not ASTRING-CHARs
  EXPECT_EQ(as_list_mailbox(a[3]), "foo%*");
  EXPECT_FALSE(as_astring(a[4]));  // "\" is a quoted-special
  EXPECT_FALSE(as_astring(a[5]));
  EXPECT_TRUE(is_word(a[5], "nil"));
  EXPECT_EQ(as_astring(a[7]), "a]b");  // resp-specials are ASTRING-CHARs
  EXPECT_FALSE(as_string(a[0]));
  EXPECT_EQ(as_number(a[2], 7), 7u);
  EXPECT_FALSE(as_number(a[2], 6));
  EXPECT_EQ(atom_upper(a[0]), "INBOX");
}

TEST(ParseTree, Tags) {
  EXPECT_TRUE(is_valid_tag("A001"));
  EXPECT_TRUE(is_valid_tag("a]b"));
  EXPECT_TRUE(is_valid_tag("x.y-z"));
  EXPECT_FALSE(is_valid_tag(""));
  EXPECT_FALSE(is_valid_tag("a+b"));  // RFC 9051 §9: tag excludes "+"
  EXPECT_FALSE(is_valid_tag("*"));
  EXPECT_FALSE(is_valid_tag("a%"));
  EXPECT_FALSE(is_valid_tag("a(b"));
  EXPECT_FALSE(is_valid_tag("a\\b"));
}

}  // namespace
}  // namespace postern::imap
