// Session transcripts for QRESYNC (RFC 7162 §3.2): ENABLE, VANISHED instead
// of EXPUNGE, SELECT (QRESYNC ...) resynchronization and UID FETCH
// (CHANGEDSINCE ... VANISHED).
#include "session_harness.hpp"

namespace postern::imap::testing {
namespace {

class SessionQresyncTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    login();
  }
  // SELECTs INBOX and returns its UIDVALIDITY and HIGHESTMODSEQ.
  std::pair<std::string, std::string> select_inbox() {
    auto out = send("s SELECT INBOX\r\n");
    return {number_after(out, "UIDVALIDITY "), number_after(out, "HIGHESTMODSEQ ")};
  }
  static std::string number_after(const std::string& out, const std::string& key) {
    auto p = out.find(key);
    EXPECT_NE(p, std::string::npos) << key << " missing in " << out;
    if (p == std::string::npos) return "0";
    p += key.size();
    return out.substr(p, out.find_first_not_of("0123456789", p) - p);
  }
};

TEST_F(SessionQresyncTest, NotEnabledIsBad) {
  deliver("one");
  transcript(R"(
    C: a1 SELECT INBOX (QRESYNC (1 1))
    S: a1 BAD QRESYNC is not enabled
  )");
}

TEST_F(SessionQresyncTest, EnableImpliesCondstoreAndExpungeBecomesVanished) {
  for (int i = 0; i < 4; ++i) deliver("m" + std::to_string(i));
  transcript(R"(
    C: a1 ENABLE QRESYNC
    S: * ENABLED QRESYNC
    S: a1 OK ENABLE completed
  )");
  select_inbox();
  transcript(R"(
    C: a2 STORE 2,3 +FLAGS.SILENT (\Deleted)
    S: a2 OK STORE completed
    C: a3 EXPUNGE
    S: * VANISHED 2:3
    S: a3 OK EXPUNGE completed
    C: a4 FETCH 2 (UID)
    S: * 2 FETCH (UID 4)
    S: a4 OK FETCH completed
  )");
}

TEST_F(SessionQresyncTest, SelectResynchronizesFlagsAndExpunges) {
  for (int i = 0; i < 5; ++i) deliver("m" + std::to_string(i));
  send("e ENABLE QRESYNC\r\n");
  auto [uidvalidity, modseq] = select_inbox();
  transcript(R"(
    C: a1 STORE 1 +FLAGS.SILENT (\Seen)
    S: a1 OK STORE completed
    C: a2 STORE 2,4 +FLAGS.SILENT (\Deleted)
    S: a2 OK STORE completed
    C: a3 EXPUNGE
    S: * VANISHED 2,4
    S: a3 OK EXPUNGE completed
    C: a4 UNSELECT
    S: a4 OK UNSELECT completed
  )");
  auto out = send("a5 SELECT INBOX (QRESYNC (" + uidvalidity + " " + modseq + "))\r\n");
  EXPECT_NE(out.find("* VANISHED (EARLIER) 2,4\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ ("), std::string::npos) << out;
  EXPECT_EQ(out.find("UID 3 FLAGS"), std::string::npos) << "unchanged message reported: " << out;
  EXPECT_NE(out.find("a5 OK [READ-WRITE]"), std::string::npos) << out;
  // The known-UIDs set limits VANISHED (EARLIER).
  send("a6 UNSELECT\r\n");
  out = send("a7 SELECT INBOX (QRESYNC (" + uidvalidity + " " + modseq + " 3:5))\r\n");
  EXPECT_NE(out.find("* VANISHED (EARLIER) 4\r\n"), std::string::npos) << out;
  // A stale UIDVALIDITY gets a plain SELECT.
  send("a8 UNSELECT\r\n");
  out = send("a9 SELECT INBOX (QRESYNC (12345 1))\r\n");
  EXPECT_EQ(out.find("VANISHED"), std::string::npos) << out;
  EXPECT_EQ(out.find("FETCH"), std::string::npos) << out;
}

TEST_F(SessionQresyncTest, UidFetchVanished) {
  for (int i = 0; i < 3; ++i) deliver("m" + std::to_string(i));
  send("e ENABLE QRESYNC\r\n");
  auto [uidvalidity, modseq] = select_inbox();
  send("a1 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  send("a2 EXPUNGE\r\n");
  send("a3 STORE 1 +FLAGS.SILENT (\\Flagged)\r\n");
  auto out = send("a4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modseq + " VANISHED)\r\n");
  EXPECT_TRUE(out.starts_with("* VANISHED (EARLIER) 2\r\n")) << out;
  EXPECT_NE(out.find("* 1 FETCH (FLAGS (\\Flagged) UID 1 MODSEQ ("), std::string::npos) << out;
  EXPECT_EQ(out.find("UID 3"), std::string::npos) << out;
  // VANISHED without CHANGEDSINCE, or without UID, is a syntax error.
  EXPECT_TRUE(send("a5 UID FETCH 1:* (FLAGS) (VANISHED)\r\n").starts_with("a5 BAD")) ;
  EXPECT_TRUE(send("a6 FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n").starts_with("a6 BAD"));
}

}  // namespace
}  // namespace postern::imap::testing
