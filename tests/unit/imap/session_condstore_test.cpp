// Session transcripts for CONDSTORE (RFC 7162 §3.1.3 UNCHANGEDSINCE /
// MODIFIED), CLOSE / UNSELECT, rev2 SELECT, mUTF-7 names and flag changes
// pushed during IDLE.
#include "session_harness.hpp"

namespace postern::imap::testing {
namespace {

class SessionCondstoreTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    login();
  }
};

TEST_F(SessionCondstoreTest, UnchangedSinceZeroIsRefused) {
  deliver("one");
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\Seen)
    S: a1 OK [MODIFIED 1] Conditional STORE failed
    C: a2 FETCH 1 (FLAGS MODSEQ)
    S: * 1 FETCH (FLAGS () MODSEQ (%%))
    S: a2 OK FETCH completed
  )");
}

TEST_F(SessionCondstoreTest, CloseExpungesSilentlyUnselectDoesNot) {
  deliver("one");
  deliver("two");
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 STORE 1 +FLAGS.SILENT (\Deleted)
    S: a1 OK STORE completed
    C: a2 UNSELECT
    S: a2 OK UNSELECT completed
    C: a3 STATUS INBOX (MESSAGES)
    S: * STATUS INBOX (MESSAGES 2)
    S: a3 OK STATUS completed
    C: a4 SELECT INBOX
    S: %%
    S: %%
    S: * 2 EXISTS
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: a4 OK [READ-WRITE] SELECT completed
    C: a5 CLOSE
    S: a5 OK CLOSE completed
    C: a6 STATUS INBOX (MESSAGES)
    S: * STATUS INBOX (MESSAGES 1)
    S: a6 OK STATUS completed
  )");
}

// RFC 9051 §6.3.2: rev2 gets a LIST response and no RECENT; names in UTF-8.
TEST_F(SessionCondstoreTest, Rev2SelectAndUtf8Names) {
  transcript(R"(
    C: a1 CREATE Entw&APw-rfe
    S: a1 OK [MAILBOXID (%%)] CREATE completed
    C: a2 LIST "" Entw*
    S: * LIST (\HasNoChildren) "/" Entw&APw-rfe
    S: a2 OK LIST completed
    C: a3 ENABLE IMAP4rev2
    S: * ENABLED IMAP4rev2
    S: a3 OK ENABLE completed
    C: a4 EXAMINE "Entwürfe"
    S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
    S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
    S: * 0 EXISTS
    S: * OK [UIDVALIDITY %%] UIDs valid
    S: * OK [UIDNEXT 1] Predicted next UID
    S: * OK [HIGHESTMODSEQ %%] Highest
    S: * OK [MAILBOXID (%%)] Ok
    S: * LIST () "/" "Entwürfe"
    S: a4 OK [READ-ONLY] EXAMINE completed
  )");
}

TEST_F(SessionCondstoreTest, FlagChangeByOthersPushedDuringIdle) {
  deliver("one");
  send("a0 SELECT INBOX\r\n");
  EXPECT_EQ(send("a1 IDLE\r\n"), "+ idling\r\n");
  auto boxes = store_->list_mailboxes(account_);
  int64_t inbox = 0;
  for (auto& b : *boxes)
    if (b.name == "INBOX") inbox = b.id;
  auto f = wait_done<Result<store::FlagUpdateResult>>([&](auto done) {
    store_->update_flags(account_, inbox, store::FlagUpdate{{1}, store::FlagOp::add, {"\\Flagged"}, {}}, done);
  });
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(notify(), "* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\n");
  EXPECT_EQ(send("done\r\n"), "a1 OK IDLE terminated\r\n");
}

}  // namespace
}  // namespace postern::imap::testing
