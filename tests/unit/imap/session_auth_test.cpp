// Session transcripts for the not-authenticated state: greeting,
// CAPABILITY, LOGIN, AUTHENTICATE PLAIN, STARTTLS, LOGOUT, bad commands.
#include "session_harness.hpp"

namespace postern::imap::testing {
namespace {

class SessionAuthTest : public SessionTest {};

TEST_F(SessionAuthTest, GreetingCarriesCapabilities) {
  EXPECT_EQ(greeting_,
            "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ID IDLE NAMESPACE UIDPLUS ENABLE "
            "UNSELECT MOVE SPECIAL-USE CONDSTORE QRESYNC LIST-EXTENDED LIST-STATUS CREATE-SPECIAL-USE STATUS=SIZE "
            "OBJECTID MULTIAPPEND BINARY QUOTA QUOTA=RES-STORAGE "
            "ESEARCH SEARCHRES SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES WITHIN] Postern IMAP ready\r\n");
}

TEST_F(SessionAuthTest, LoginSuccessAndFailure) {
  transcript(R"(
    C: a1 LOGIN alice@example.test wrong
    S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
    C: a2 LOGIN alice@example.test secret
    S: a2 OK [CAPABILITY IMAP4rev1 IMAP4rev2 COMPRESS=DEFLATE LITERAL+ ID IDLE NAMESPACE UIDPLUS ENABLE UNSELECT MOVE SPECIAL-USE CONDSTORE QRESYNC LIST-EXTENDED LIST-STATUS CREATE-SPECIAL-USE STATUS=SIZE OBJECTID MULTIAPPEND BINARY QUOTA QUOTA=RES-STORAGE ESEARCH SEARCHRES SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES WITHIN] Logged in
    C: a3 LOGIN alice@example.test secret
    S: a3 BAD Command not allowed in this state
  )");
  EXPECT_EQ(session_->account_id(), account_);
}

TEST_F(SessionAuthTest, CommandsNeedLogin) {
  transcript(R"(
    C: a1 SELECT INBOX
    S: a1 BAD Please log in first
    C: a2 NOOP
    S: a2 OK NOOP completed
    C: a3 FROB
    S: a3 BAD Unknown command
  )");
  EXPECT_FALSE(session_->account_id());
}

// RFC 9051 §6.2.2 with RFC 4959 SASL-IR: "\0alice@example.test\0secret".
TEST_F(SessionAuthTest, AuthenticatePlainInitialResponse) {
  transcript(R"(
    C: a1 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=
    S: a1 OK [CAPABILITY %%] Logged in
  )");
}

TEST_F(SessionAuthTest, AuthenticatePlainContinuation) {
  transcript(R"(
    C: a1 AUTHENTICATE PLAIN
    S: + 
    C: AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==
    S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
    C: a2 AUTHENTICATE PLAIN
    S: + 
    C: *
    S: a2 BAD Authentication cancelled
    C: a3 AUTHENTICATE PLAIN
    S: + 
    C: AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=
    S: a3 OK [CAPABILITY %%] Logged in
  )");
}

TEST_F(SessionAuthTest, AuthenticateUnknownMechanismAndBadBase64) {
  transcript(R"(
    C: a1 AUTHENTICATE CRAM-MD5
    S: a1 NO [CANNOT] Unsupported authentication mechanism
    C: a2 AUTHENTICATE PLAIN %%%
    S: a2 BAD %%
  )");
}

TEST_F(SessionAuthTest, LogoutSaysBye) {
  transcript(R"(
    C: a1 LOGOUT
    S: * BYE Postern IMAP logging out
    S: a1 OK LOGOUT completed
  )");
  EXPECT_TRUE(session_->wants_close());
}

TEST_F(SessionAuthTest, IdAndCapability) {
  transcript(R"(
    C: a1 ID ("name" "test")
    S: * ID ("name" "Postern")
    S: a1 OK ID completed
    C: a2 CAPABILITY
    S: * CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN %%
    S: a2 OK CAPABILITY completed
  )");
}

TEST_F(SessionAuthTest, TooManyBadCommandsCloses) {
  std::string out;
  for (int i = 0; i < 20; ++i) out += send("x" + std::to_string(i) + " BOGUS\r\n");
  EXPECT_NE(out.find("* BYE Too many invalid commands\r\n"), std::string::npos);
  EXPECT_TRUE(session_->wants_close());
}

TEST_F(SessionAuthTest, TimeoutSaysBye) {
  session_->on_timeout();
  EXPECT_EQ(session_->take_output(), "* BYE Autologout; idle for too long\r\n");
  EXPECT_TRUE(session_->wants_close());
}

class SessionPlaintextTest : public SessionTest {
 protected:
  SessionOptions options() override {
    auto o = SessionTest::options();
    o.tls_active = false;
    o.starttls_available = true;
    return o;
  }
};

// RFC 9051 §6.2.3 LOGINDISABLED; §6.2.1 STARTTLS drops pipelined input.
TEST_F(SessionPlaintextTest, LoginDisabledUntilTls) {
  EXPECT_NE(greeting_.find("STARTTLS LOGINDISABLED"), std::string::npos);
  EXPECT_EQ(greeting_.find("AUTH=PLAIN"), std::string::npos);
  transcript(R"(
    C: a1 LOGIN alice@example.test secret
    S: a1 NO [PRIVACYREQUIRED] Plaintext authentication requires TLS
    C: a2 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=
    S: a2 NO [PRIVACYREQUIRED] Plaintext authentication requires TLS
  )");
  EXPECT_EQ(send("a3 STARTTLS\r\na4 LOGIN alice@example.test secret\r\n"), "a3 OK Begin TLS negotiation now\r\n");
  EXPECT_TRUE(session_->wants_starttls());
  session_->tls_established();
  EXPECT_FALSE(session_->wants_starttls());
  transcript(R"(
    C: a5 CAPABILITY
    S: * CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR %%
    S: a5 OK CAPABILITY completed
    C: a6 LOGIN alice@example.test secret
    S: a6 OK [CAPABILITY %%] Logged in
  )");
}

}  // namespace
}  // namespace postern::imap::testing
