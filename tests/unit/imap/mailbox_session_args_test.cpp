// SELECT/EXAMINE (RFC 9051 §6.3.2, RFC 7162 CONDSTORE/QRESYNC), APPEND and
// MULTIAPPEND (RFC 9051 §6.3.12, RFC 3502, RFC 3516), COPY/MOVE, RENAME,
// LOGIN, AUTHENTICATE (RFC 4959), ENABLE, ID (RFC 2971).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "args_harness.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/session_args.hpp"
#include "reader_harness.hpp"

namespace postern::imap {
namespace {

using namespace std::string_literals;
using testing::cmd;

TEST(SelectArgs, Table) {
  auto plain = cmd("t SELECT INBOX");
  auto p = parse_select(plain.args);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mailbox, "INBOX");
  EXPECT_FALSE(p->condstore);

  auto cs = cmd("t EXAMINE \"Sent Items\" (CONDSTORE)");
  EXPECT_TRUE(parse_select(cs.args)->condstore);

  // RFC 7162 §3.2.5.2 example.
  auto q = cmd("t SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  auto qr = parse_select(q.args);
  ASSERT_TRUE(qr.ok()) << qr.error().message;
  ASSERT_TRUE(qr->qresync);
  EXPECT_EQ(qr->qresync->uidvalidity, 67890007u);
  EXPECT_EQ(qr->qresync->modseq, 20050715194045000u);
  ASSERT_TRUE(qr->qresync->known_uids);
  EXPECT_EQ(qr->qresync->known_uids->ranges.size(), 3u);
  EXPECT_FALSE(qr->qresync->seq_match);

  auto q2 = cmd("t SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
                "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))");
  auto qr2 = parse_select(q2.args);
  ASSERT_TRUE(qr2.ok()) << qr2.error().message;
  ASSERT_TRUE(qr2->qresync->seq_match);
  EXPECT_EQ(qr2->qresync->seq_match->first.ranges.size(), 4u);
  EXPECT_EQ(qr2->qresync->seq_match->second.ranges.size(), 13u);

  auto q3 = cmd("t SELECT INBOX (QRESYNC (1 2))");
  EXPECT_TRUE(parse_select(q3.args).ok());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"t SELECT INBOX (QRESYNC (0 1))", "invalid QRESYNC UIDVALIDITY"},
      {"t SELECT INBOX (QRESYNC (1 0))", "invalid QRESYNC mod-sequence"},
      {"t SELECT INBOX (QRESYNC (1 2 1:*))", "'*' is not allowed in this sequence set"},  // RFC 7162 §3.2.5
      {"t SELECT INBOX (QRESYNC (1 2 3 (1:2)))", "invalid QRESYNC sequence match data"},
      {"t SELECT INBOX (QRESYNC)", "invalid QRESYNC parameter"},
      {"t SELECT INBOX (FOO)", "unknown SELECT parameter"},
      {"t SELECT INBOX ()", "invalid SELECT parameters"},
      {"t SELECT", "SELECT needs a mailbox and optional parameters"},
      {"t SELECT (INBOX)", "invalid mailbox name"},
  };
  for (const auto& [in, msg] : bad) {
    SCOPED_TRACE(in);
    auto x = cmd(in);
    auto r = parse_select(x.args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, msg);
  }
}

// APPEND needs literals: go through the reader.
Command read_one(const std::string& wire) {
  CommandReader r;
  r.feed(wire);
  for (;;) {
    auto ev = r.next();
    if (auto* c = std::get_if<Command>(&ev)) return std::move(*c);
    if (auto* e = std::get_if<ReaderError>(&ev)) ADD_FAILURE() << e->error.message;
    if (std::holds_alternative<NeedMore>(ev)) {
      ADD_FAILURE() << "incomplete";
      return {};
    }
  }
}

TEST(AppendArgs, Forms) {
  auto c = read_one("A003 APPEND saved-messages (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {11}\r\nhello world\r\n");
  auto a = parse_append(c.args);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->mailbox, "saved-messages");
  ASSERT_EQ(a->messages.size(), 1u);
  EXPECT_EQ(a->messages[0].flags, (std::vector<std::string>{"\\Seen"}));
  ASSERT_TRUE(a->messages[0].internal_date);
  EXPECT_EQ(a->messages[0].internal_date->zone_minutes, -420);
  EXPECT_EQ(a->messages[0].data, "hello world");
  EXPECT_FALSE(a->messages[0].binary);

  auto bare = read_one("t APPEND INBOX {3+}\r\nabc\r\n");
  auto b = parse_append(bare.args);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->messages[0].flags.empty());
  EXPECT_FALSE(b->messages[0].internal_date);

  auto bin = read_one("t APPEND INBOX () ~{3}\r\na\0c\r\n"s);  // RFC 3516 §4.4
  auto bb = parse_append(bin.args);
  ASSERT_TRUE(bb.ok());
  EXPECT_TRUE(bb->messages[0].binary);
  EXPECT_EQ(bb->messages[0].data, "a\0c"s);

  // RFC 3502 MULTIAPPEND.
  auto multi = read_one("t APPEND INBOX (\\Seen) {1+}\r\na \"1-Jan-2000 00:00:00 +0000\" {1+}\r\nb {1+}\r\nc\r\n");
  EXPECT_FALSE(parse_append(multi.args).ok());
  auto m = parse_append(multi.args, 10);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->messages.size(), 3u);
  EXPECT_EQ(m->messages[1].data, "b");
  EXPECT_TRUE(m->messages[1].internal_date);
  EXPECT_EQ(m->messages[2].data, "c");
  EXPECT_EQ(parse_append(multi.args, 2).error().message, "too many messages in APPEND");
  EXPECT_EQ(parse_append(multi.args).error().message, "more than one message needs MULTIAPPEND");

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"t APPEND INBOX \"hello\"", "invalid date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")"},
      {"t APPEND INBOX (\\Seen)", "APPEND message must be a literal"},
      {"t APPEND INBOX (\\Recent) {1+}\r\nx", "\\Recent cannot be set by the client"},
      {"t APPEND INBOX", "APPEND needs a mailbox and a message literal"},
  };
  for (const auto& [in, msg] : bad) {
    SCOPED_TRACE(in);
    auto x = read_one(in + "\r\n");
    auto r = parse_append(x.args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, msg);
  }
}

TEST(MailboxArgs, CopyRenameSingle) {
  auto c = cmd("t UID MOVE 42:69 foo");
  auto m = parse_copy(c.args);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->mailbox, "foo");
  EXPECT_EQ(m->set.ranges.size(), 1u);
  auto r = cmd("t RENAME blurdybloop sarasoop");
  EXPECT_EQ(parse_rename(r.args)->second, "sarasoop");
  auto s = cmd("t CREATE owatagusiam/");
  EXPECT_EQ(*parse_single_mailbox(s.args), "owatagusiam/");
  auto s2 = cmd("t CREATE a (USE (\\Sent))");
  EXPECT_FALSE(parse_single_mailbox(s2.args).ok());
  auto bad = cmd("t COPY 1");
  EXPECT_FALSE(parse_copy(bad.args).ok());
}

TEST(SessionArgs, LoginAuthenticate) {
  auto l = cmd("a001 LOGIN SMITH \"sesame pw\"");
  auto la = parse_login(l.args);
  ASSERT_TRUE(la.ok());
  EXPECT_EQ(la->user, "SMITH");
  EXPECT_EQ(la->password, "sesame pw");
  auto lbad = cmd("a LOGIN x");
  EXPECT_FALSE(parse_login(lbad.args).ok());

  auto a = cmd("a AUTHENTICATE plain AGZyZWQAcGFzcw==");
  auto aa = parse_authenticate(a.args);
  ASSERT_TRUE(aa.ok());
  EXPECT_EQ(aa->mechanism, "PLAIN");
  EXPECT_EQ(aa->initial_response, "AGZyZWQAcGFzcw==");
  auto empty = cmd("a AUTHENTICATE PLAIN =");  // RFC 4959 §3: empty initial response
  EXPECT_EQ(parse_authenticate(empty.args)->initial_response, "=");
  auto xo = cmd("a AUTHENTICATE XOAUTH2");
  EXPECT_FALSE(parse_authenticate(xo.args)->initial_response);
  auto bad = cmd("a AUTHENTICATE PLAIN abc!");
  EXPECT_FALSE(parse_authenticate(bad.args).ok());
}

TEST(SessionArgs, EnableAndId) {
  auto e = cmd("t ENABLE condstore IMAP4rev2 UTF8=ACCEPT");
  EXPECT_EQ(*parse_enable(e.args), (std::vector<std::string>{"CONDSTORE", "IMAP4REV2", "UTF8=ACCEPT"}));
  auto e0 = cmd("t ENABLE");
  EXPECT_FALSE(parse_enable(e0.args).ok());

  auto id = cmd("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)");
  auto p = parse_id(id.args);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].first, "name");
  EXPECT_EQ((*p)[1].second, "19.34");
  EXPECT_FALSE((*p)[2].second);
  auto nil = cmd("t ID NIL");
  EXPECT_TRUE(parse_id(nil.args)->empty());
  const std::vector<std::string> bad = {
      "t ID (\"name\")", "t ID (\"a\" \"1\" \"A\" \"2\")", "t ID (name \"x\")", "t ID",
      "t ID (\"" + std::string(31, 'f') + "\" \"x\")", "t ID (\"f\" \"" + std::string(1025, 'v') + "\")",
  };
  for (const auto& in : bad) {
    SCOPED_TRACE(in);
    auto x = cmd(in);
    EXPECT_FALSE(parse_id(x.args).ok());
  }
  std::string many = "t ID (";
  for (int i = 0; i < 31; ++i) many += "\"f" + std::to_string(i) + "\" NIL ";
  many.back() = ')';
  auto m = cmd(many);
  EXPECT_EQ(parse_id(m.args).error().message, "too many ID fields (max 30)");
}

}  // namespace
}  // namespace postern::imap
