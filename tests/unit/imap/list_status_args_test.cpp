// LIST / LSUB (RFC 9051 §6.3.9, RFC 5258, RFC 6154, RFC 5819) and STATUS
// (RFC 9051 §6.3.11, RFC 7162, RFC 8474, RFC 7889) arguments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "args_harness.hpp"
#include "imap/proto/list_args.hpp"
#include "imap/proto/status_args.hpp"

namespace postern::imap {
namespace {

using testing::cmd;

std::string render(const std::string& line) {
  auto c = cmd(line);
  auto l = parse_list(c.args);
  if (!l) return "ERR " + l.error().message;
  std::string s = (l->extended ? "ext " : "") + std::string("sel=") + std::to_string(l->selection) + " ref=" +
                  l->reference + " pat=";
  for (const auto& p : l->patterns) s += "[" + p + "]";
  s += " ret=" + std::to_string(l->returns);
  for (auto i : l->status_items) s += " " + std::string(status_item_name(i));
  return s;
}

TEST(ListArgs, Table) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"t LIST \"\" *", "sel=0 ref= pat=[*] ret=0"},
      {"t LIST \"\" \"\"", "sel=0 ref= pat=[] ret=0"},  // hierarchy delimiter request
      {"t LIST ~/Mail/ %", "sel=0 ref=~/Mail/ pat=[%] ret=0"},
      {"t LIST \"\" INBOX.*", "sel=0 ref= pat=[INBOX.*] ret=0"},
      {"t LIST \"\" &ZeVnLIqe-/%", "sel=0 ref= pat=[&ZeVnLIqe-/%] ret=0"},
      {"t LIST (SUBSCRIBED) \"\" *", "ext sel=1 ref= pat=[*] ret=0"},
      {"t LIST (SUBSCRIBED RECURSIVEMATCH) \"\" *", "ext sel=5 ref= pat=[*] ret=0"},
      {"t LIST (SPECIAL-USE) \"\" *", "ext sel=8 ref= pat=[*] ret=0"},
      {"t LIST () \"\" *", "ext sel=0 ref= pat=[*] ret=0"},
      {"t LIST \"\" (INBOX Drafts \"Sent Items\")", "ext sel=0 ref= pat=[INBOX][Drafts][Sent Items] ret=0"},
      {"t LIST \"\" * RETURN (SUBSCRIBED CHILDREN SPECIAL-USE)", "ext sel=0 ref= pat=[*] ret=7"},
      {"t LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))", "ext sel=0 ref= pat=[%] ret=8 MESSAGES UNSEEN"},
      {"t LIST (REMOTE) \"\" * RETURN ()", "ext sel=2 ref= pat=[*] ret=0"},
      {"t LIST (RECURSIVEMATCH) \"\" *", "ERR RECURSIVEMATCH needs another selection option"},  // RFC 5258 §3.1
      {"t LIST (REMOTE RECURSIVEMATCH) \"\" *", "ERR RECURSIVEMATCH needs another selection option"},
      {"t LIST (FOO) \"\" *", "ERR unknown LIST selection option"},
      {"t LIST \"\" * RETURN (FOO)", "ERR unknown LIST return option"},
      {"t LIST \"\" * RETURN (STATUS)", "ERR STATUS needs a list of status items"},
      {"t LIST \"\" * EXTRA", "ERR unexpected LIST argument (expected RETURN (options))"},
      {"t LIST \"\" ()", "ERR empty LIST pattern list"},
      {"t LIST \"\"", "ERR LIST needs a reference and a mailbox pattern"},
      {"t LIST * *", "ERR invalid LIST reference"},
      {"t LIST \"\" NIL", "ERR invalid LIST pattern"},
  };
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(in);
    EXPECT_EQ(render(in), want);
  }
}

TEST(ListArgs, Lsub) {
  auto c = cmd("t LSUB \"#news.\" comp.mail.*");
  auto l = parse_lsub(c.args);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->reference, "#news.");
  EXPECT_EQ(l->patterns, (std::vector<std::string>{"comp.mail.*"}));
  auto bad = cmd("t LSUB x");
  EXPECT_FALSE(parse_lsub(bad.args).ok());
}

TEST(StatusArgs, Table) {
  auto c = cmd("t STATUS blurdybloop (UIDNEXT MESSAGES uidvalidity UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ "
               "MAILBOXID APPENDLIMIT MESSAGES)");
  auto s = parse_status(c.args);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->mailbox, "blurdybloop");
  std::string names;
  for (auto i : s->items) names += std::string(status_item_name(i)) + " ";
  EXPECT_EQ(names, "UIDNEXT MESSAGES UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ MAILBOXID APPENDLIMIT ");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"t STATUS x ()", "expected a list of status items"},
      {"t STATUS x (FOO)", "unknown status item"},
      {"t STATUS x (\"MESSAGES\")", "unknown status item"},
      {"t STATUS x MESSAGES", "expected a list of status items"},
      {"t STATUS (MESSAGES)", "STATUS needs a mailbox and a list of items"},
      {"t STATUS NIL (MESSAGES)", "invalid mailbox name"},
  };
  for (const auto& [in, msg] : bad) {
    SCOPED_TRACE(in);
    auto x = cmd(in);
    auto r = parse_status(x.args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, msg);
  }
}

}  // namespace
}  // namespace postern::imap
