// Session transcripts in the authenticated and selected states: SELECT,
// LIST, STATUS, CREATE/RENAME/DELETE, FETCH, STORE, EXPUNGE, COPY/MOVE,
// APPEND, SEARCH, IDLE with pushed changes.
#include "session_harness.hpp"

namespace postern::imap::testing {
namespace {

class SessionMailboxTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    login();
  }
};

// RFC 9051 §6.3.2 (rev1 client: RECENT and UNSEEN included).
TEST_F(SessionMailboxTest, SelectAndExamine) {
  deliver("one");
  deliver("two", "INBOX", {"\\Seen"});
  transcript(R"(
    C: a1 SELECT inbox
    S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
    S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
    S: * 2 EXISTS
    S: * 0 RECENT
    S: * OK [UNSEEN 1] First unseen
    S: * OK [UIDVALIDITY %%] UIDs valid
    S: * OK [UIDNEXT 3] Predicted next UID
    S: * OK [HIGHESTMODSEQ %%] Highest
    S: * OK [MAILBOXID (%%)] Ok
    S: a1 OK [READ-WRITE] SELECT completed
    C: a2 EXAMINE Nope
    S: * OK [CLOSED] Previous mailbox is now closed
    S: a2 NO [NONEXISTENT] Mailbox does not exist
    C: a3 FETCH 1 FLAGS
    S: a3 BAD Command not allowed in this state
  )");
}

TEST_F(SessionMailboxTest, ListCreateRenameDelete) {
  transcript(R"(
    C: a1 LIST "" ""
    S: * LIST (\Noselect) "/" ""
    S: a1 OK LIST completed
    C: a2 CREATE Projects/Alpha
    S: a2 OK [MAILBOXID (%%)] CREATE completed
    C: a3 CREATE Projects/Alpha
    S: a3 NO [ALREADYEXISTS] %%
    C: a4 LIST "" "Pro%"
    S: * LIST (\HasChildren) "/" Projects
    S: a4 OK LIST completed
    C: a5 LIST "" "Projects/*"
    S: * LIST (\HasNoChildren) "/" Projects/Alpha
    S: a5 OK LIST completed
    C: a6 RENAME Projects/Alpha Beta
    S: a6 OK RENAME completed
    C: a7 LIST "" Sent RETURN (SUBSCRIBED)
    S: * LIST (\HasNoChildren \Subscribed \Sent) "/" Sent
    S: a7 OK LIST completed
    C: a8 DELETE Beta
    S: a8 OK DELETE completed
    C: a9 DELETE Beta
    S: a9 NO [NONEXISTENT] %%
    C: b1 DELETE INBOX
    S: b1 NO [CANNOT] INBOX cannot be deleted
  )");
}

TEST_F(SessionMailboxTest, Status) {
  deliver("one");
  deliver("two", "INBOX", {"\\Seen"});
  transcript(R"(
    C: a1 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)
    S: * STATUS INBOX (MESSAGES 2 UNSEEN 1 UIDNEXT 3)
    S: a1 OK STATUS completed
    C: a2 STATUS Nope (MESSAGES)
    S: a2 NO [NONEXISTENT] Mailbox does not exist
  )");
}

// RFC 9051 §6.4.5: BODY[] without PEEK sets \Seen and reports FLAGS.
TEST_F(SessionMailboxTest, FetchAndStore) {
  deliver("hello");
  transcript(R"(
    C: a1 SELECT INBOX
    S: %%
    S: %%
    S: * 1 EXISTS
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: a1 OK [READ-WRITE] SELECT completed
    C: a2 FETCH 1 (UID FLAGS RFC822.SIZE)
    S: * 1 FETCH (UID 1 FLAGS () RFC822.SIZE 48)
    S: a2 OK FETCH completed
    C: a3 UID FETCH 1 (UID BODY.PEEK[TEXT]<0.5>)
    S: * 1 FETCH (UID 1 BODY[TEXT]<0> "hello")
    S: a3 OK FETCH completed
    C: a4 FETCH 1 BODY[]<0.7>
    S: * 1 FETCH (BODY[]<0> "Subject" FLAGS (\Seen))
    S: a4 OK FETCH completed
    C: a5 STORE 1 +FLAGS (\Flagged)
    S: * 1 FETCH (FLAGS (\Flagged \Seen))
    S: a5 OK STORE completed
    C: a6 FETCH 2 FLAGS
    S: a6 BAD %%
    C: a7 FETCH 1 ENVELOPE
    S: * 1 FETCH (ENVELOPE (NIL "test" ((NIL NIL "bob" "example.test")) ((NIL NIL "bob" "example.test")) ((NIL NIL "bob" "example.test")) NIL NIL NIL NIL NIL))
    S: a7 OK FETCH completed
    C: a8 FETCH 1 (BODYSTRUCTURE BODY.PEEK[1]<0.2>)
    S: * 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" %%) BODY[1]<0> %%)
    S: a8 OK FETCH completed
    C: a9 FETCH 1 (BINARY.SIZE[1] BINARY[1])
    S: * 1 FETCH (BINARY.SIZE[1] 7 BINARY[1] {7}
    S: hello
    S: )
    S: a9 OK FETCH completed
  )");
}

TEST_F(SessionMailboxTest, ExpungeSearchCopyMove) {
  deliver("one");
  deliver("two");
  deliver("three");
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 STORE 1:2 +FLAGS.SILENT (\Deleted)
    S: a1 OK STORE completed
    C: a2 SEARCH DELETED
    S: * SEARCH 1 2
    S: a2 OK SEARCH completed
    C: a3 UID SEARCH NOT DELETED
    S: * SEARCH 3
    S: a3 OK SEARCH completed
    C: a4 SEARCH FROM bob
    S: * SEARCH 1 2 3
    S: a4 OK SEARCH completed
    C: a5 EXPUNGE
    S: * 1 EXPUNGE
    S: * 1 EXPUNGE
    S: a5 OK EXPUNGE completed
    C: a6 COPY 1 Archive
    S: a6 OK [COPYUID %% 3 1] COPY completed
    C: a7 COPY 1 Nope
    S: a7 NO [TRYCREATE] Mailbox does not exist
    C: a8 UID MOVE 3 Trash
    S: * OK [COPYUID %% 3 1] Moved
    S: * 1 EXPUNGE
    S: a8 OK MOVE completed
  )");
}

TEST_F(SessionMailboxTest, AppendToSelectedAndIdle) {
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 APPEND INBOX (\Seen) {11}
    S: + Ready for literal data
    C: Subject: x
    S: * 1 EXISTS
    S: a1 OK [APPENDUID %% 1] APPEND completed
    C: a2 IDLE
    S: + idling
  )");
  EXPECT_TRUE(session_->idling());
  deliver("pushed");
  EXPECT_EQ(notify(), "* 2 EXISTS\r\n");
  transcript(R"(
    C: DONE
    S: a2 OK IDLE terminated
    C: a3 APPEND Nope {1+}
    C: x
    S: a3 NO [TRYCREATE] Mailbox does not exist
  )");
  EXPECT_FALSE(session_->idling());
}

// RFC 9051 §7.5.1: no EXPUNGE after FETCH; it comes after NOOP.
TEST_F(SessionMailboxTest, ExpungeByOtherSessionWaitsForNoop) {
  deliver("one");
  deliver("two");
  send("a0 SELECT INBOX\r\n");
  auto box = store_->list_mailboxes(account_);
  int64_t inbox = 0;
  for (auto& b : *box)
    if (b.name == "INBOX") inbox = b.id;
  auto f = wait_done<Result<store::FlagUpdateResult>>([&](auto done) {
    store_->update_flags(account_, inbox, store::FlagUpdate{{1}, store::FlagOp::add, {"\\Deleted"}, {}}, done);
  });
  auto e = wait_done<Result<std::vector<uint32_t>>>(
      [&](auto done) { store_->expunge(account_, inbox, std::nullopt, done); });
  ASSERT_TRUE(f.ok() && e.ok());
  EXPECT_EQ(notify(), "");  // no command in progress: EXPUNGE must wait
  transcript(R"(
    C: a1 FETCH 1:2 UID
    S: * 1 FETCH (UID 1)
    S: * 2 FETCH (UID 2)
    S: a1 OK FETCH completed
    C: a2 NOOP
    S: * 1 EXPUNGE
    S: a2 OK NOOP completed
  )");
}

TEST_F(SessionMailboxTest, EnableRev2AndNamespace) {
  transcript(R"(
    C: a1 ENABLE IMAP4rev2 CONDSTORE X-UNKNOWN
    S: * ENABLED IMAP4rev2 CONDSTORE
    S: a1 OK ENABLE completed
    C: a2 NAMESPACE
    S: * NAMESPACE (("" "/")) NIL NIL
    S: a2 OK NAMESPACE completed
  )");
}

}  // namespace
}  // namespace postern::imap::testing
