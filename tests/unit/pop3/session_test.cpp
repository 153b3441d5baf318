// pop3/session transcripts: the sans-I/O session fed byte strings, with its
// actions answered the way net/pop3_connection does (password check, a
// maildrop snapshot, blobs streamed in small chunks, the UPDATE result).
// The real adapter and store are exercised by tests/integration/test_pop3.py.
#include <gtest/gtest.h>

#include <map>

#include "pop3/session.hpp"
#include "sasl/base64.hpp"

namespace postern::pop3 {
namespace {

const std::string kMsg1 = "Subject: one\r\n\r\nhello\r\n.dot line\r\n";
const std::string kMsg2 = "Subject: two\r\nX: y\r\n\r\nl1\r\nl2\r\nl3\r\n";

class Pop3SessionTest : public ::testing::Test {
 protected:
  void start(SessionOptions o) {
    o.hostname = "mail.example.test";
    session_ = std::make_unique<Session>(o);
    EXPECT_EQ(session_->greeting(), "+OK Postern POP3 server ready\r\n");
  }
  void SetUp() override {
    SessionOptions o;
    o.tls_active = true;
    start(o);
    blobs_["h1"] = kMsg1;
    blobs_["h2"] = kMsg2;
  }

  // Sends `bytes`, performs the actions the session asks for, and returns
  // everything it wrote.
  std::string send(std::string_view bytes) {
    session_->receive(bytes);
    return pump();
  }

  std::string pump() {
    std::string out;
    for (;;) {
      out += session_->take_output();
      auto a = session_->next_action();
      if (a == Session::Action::login) {
        const auto& r = session_->login_request();
        LoginResult res;
        if (r.user != "alice@example.test" || r.password != "secret") {
          res.outcome = LoginResult::Outcome::bad_credentials;
        } else if (locked_) {
          res.outcome = LoginResult::Outcome::in_use;
        } else if (store_down_) {
          res.outcome = LoginResult::Outcome::failed;
        } else {
          res.outcome = LoginResult::Outcome::ok;
          res.maildrop.mailbox_id = 7;
          res.maildrop.uidvalidity = 0x1234;
          res.maildrop.messages = {{3, 30, kMsg1.size(), "h1"}, {9, 90, kMsg2.size(), "h2"}};
        }
        session_->login_done(std::move(res));
      } else if (a == Session::Action::send_message) {
        const auto& req = session_->message_request();
        auto it = blobs_.find(req.message.blob_hash);
        if (it == blobs_.end()) {
          session_->message_end(Status(user_error("gone")));
          continue;
        }
        for (size_t i = 0; i < it->second.size(); i += 5)
          if (!session_->message_chunk(std::string_view(it->second).substr(i, 5))) break;
        session_->message_end(Status(Ok{}));
      } else if (a == Session::Action::update) {
        expunged_ = session_->update_request().uids;
        session_->update_done(update_fails_ ? Status(temporary_error("disk")) : Status(Ok{}));
      } else if (a == Session::Action::start_tls) {
        out += "<TLS>";
        session_->tls_established();
      } else {
        return out;
      }
    }
  }

  std::unique_ptr<Session> session_;
  std::map<std::string, std::string> blobs_;
  std::vector<uint32_t> expunged_;
  bool locked_ = false;
  bool store_down_ = false;
  bool update_fails_ = false;
};

std::string plain(std::string_view authz, std::string_view user, std::string_view pass) {
  std::string m(authz);
  m += '\0';
  m += user;
  m += '\0';
  m += pass;
  return sasl::base64_encode(m);
}

TEST_F(Pop3SessionTest, CapaInTlsOffersUserAndSasl) {
  EXPECT_EQ(send("CAPA\r\n"),
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
            "USER\r\nSASL PLAIN\r\nIMPLEMENTATION Postern\r\n.\r\n");
}

TEST_F(Pop3SessionTest, PlaintextBeforeStlsIsRefusedThenAllowed) {
  SessionOptions o;
  o.starttls_available = true;
  start(o);
  std::string capa = send("CAPA\r\n");
  EXPECT_NE(capa.find("STLS\r\n"), std::string::npos);
  EXPECT_EQ(capa.find("USER\r\n"), std::string::npos);
  EXPECT_EQ(capa.find("SASL"), std::string::npos);
  EXPECT_EQ(send("USER alice@example.test\r\n").rfind("-ERR [AUTH] Plaintext", 0), 0u);
  EXPECT_EQ(send("AUTH PLAIN " + plain("", "alice@example.test", "secret") + "\r\n").rfind("-ERR [AUTH]", 0), 0u);
  // RFC 2595 §4: what is pipelined after STLS is dropped.
  EXPECT_EQ(send("STLS\r\nUSER injected\r\n"), "+OK Begin TLS negotiation\r\n<TLS>");
  EXPECT_EQ(send("PASS secret\r\n"), "-ERR USER first\r\n");
  capa = send("CAPA\r\n");
  EXPECT_EQ(capa.find("STLS"), std::string::npos);
  EXPECT_NE(capa.find("SASL PLAIN\r\n"), std::string::npos);
  EXPECT_EQ(send("USER alice@example.test\r\nPASS secret\r\n"),
            "+OK Send your password\r\n+OK Maildrop locked and ready, 2 messages (" +
                std::to_string(kMsg1.size() + kMsg2.size()) + " octets)\r\n");
}

TEST_F(Pop3SessionTest, LoopbackDevModeAllowsPlaintext) {
  SessionOptions o;
  o.plaintext_auth_allowed = true;
  start(o);
  EXPECT_EQ(send("USER alice@example.test\r\n"), "+OK Send your password\r\n");
}

TEST_F(Pop3SessionTest, WrongPasswordInUseAndTemporaryFailure) {
  EXPECT_EQ(send("USER alice@example.test\r\nPASS nope\r\n"),
            "+OK Send your password\r\n-ERR [AUTH] Authentication failed\r\n");
  EXPECT_TRUE(session_->take_auth_failure());
  EXPECT_EQ(session_->failed_user(), "alice@example.test");
  EXPECT_FALSE(session_->take_auth_failure());
  EXPECT_EQ(session_->bad_commands(), 0u);  // failed logins are counted apart
  locked_ = true;
  EXPECT_EQ(send("USER alice@example.test\r\nPASS secret\r\n"),
            "+OK Send your password\r\n-ERR [IN-USE] Mailbox is in use by another POP3 session\r\n");
  locked_ = false;
  store_down_ = true;
  EXPECT_EQ(send("USER alice@example.test\r\nPASS secret\r\n"),
            "+OK Send your password\r\n-ERR [SYS/TEMP] Temporary server error, try again later\r\n");
  EXPECT_FALSE(session_->in_transaction_state());
}

TEST_F(Pop3SessionTest, AuthPlainWithInitialResponseAndContinuation) {
  EXPECT_EQ(send("AUTH PLAIN " + plain("", "alice@example.test", "secret") + "\r\n").rfind("+OK Maildrop", 0), 0u);
  start({.tls_active = true});
  EXPECT_EQ(send("AUTH PLAIN\r\n"), "+ \r\n");
  EXPECT_EQ(send("*\r\n"), "-ERR Authentication cancelled\r\n");
  EXPECT_EQ(send("AUTH plain\r\n"), "+ \r\n");
  EXPECT_EQ(send(plain("bob@example.test", "alice@example.test", "secret") + "\r\n"),
            "-ERR [AUTH] Authorization identity not permitted\r\n");
  EXPECT_EQ(send("AUTH PLAIN\r\n" + plain("", "alice@example.test", "secret") + "\r\n").rfind("+ \r\n+OK Maildrop", 0),
            0u);
  EXPECT_TRUE(session_->in_transaction_state());
}

TEST_F(Pop3SessionTest, StatListUidlRetrTop) {
  send("USER alice@example.test\r\nPASS secret\r\n");
  auto s1 = std::to_string(kMsg1.size()), s2 = std::to_string(kMsg2.size());
  EXPECT_EQ(send("STAT\r\n"), "+OK 2 " + std::to_string(kMsg1.size() + kMsg2.size()) + "\r\n");
  EXPECT_EQ(send("LIST\r\n"), "+OK 2 messages (" + std::to_string(kMsg1.size() + kMsg2.size()) + " octets)\r\n1 " +
                                  s1 + "\r\n2 " + s2 + "\r\n.\r\n");
  EXPECT_EQ(send("LIST 2\r\n"), "+OK 2 " + s2 + "\r\n");
  EXPECT_EQ(send("LIST 3\r\n"), "-ERR No such message\r\n");
  EXPECT_EQ(send("UIDL\r\n"), "+OK Unique-ID listing follows\r\n1 0000123400000003\r\n2 0000123400000009\r\n.\r\n");
  EXPECT_EQ(send("UIDL 1\r\n"), "+OK 1 0000123400000003\r\n");
  EXPECT_EQ(send("RETR 1\r\n"),
            "+OK " + s1 + " octets\r\nSubject: one\r\n\r\nhello\r\n..dot line\r\n.\r\n");
  EXPECT_EQ(send("TOP 2 1\r\n"), "+OK Top of message follows\r\nSubject: two\r\nX: y\r\n\r\nl1\r\n.\r\n");
  EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(Pop3SessionTest, PipelinedCommandsRunInOrder) {
  // RFC 2449 §6.6 PIPELINING: all in one write, answered in order.
  std::string out = send("USER alice@example.test\r\nPASS secret\r\nSTAT\r\nRETR 2\r\nUIDL 2\r\nQUIT\r\n");
  auto retr = out.find("+OK " + std::to_string(kMsg2.size()) + " octets");
  auto uidl = out.find("+OK 2 0000123400000009");
  auto quit = out.find("+OK Postern POP3 server signing off");
  ASSERT_NE(retr, std::string::npos);
  EXPECT_LT(retr, uidl);
  EXPECT_LT(uidl, quit);
  EXPECT_EQ(session_->next_action(), Session::Action::close);
}

TEST_F(Pop3SessionTest, DeleRsetAndQuitEntersUpdate) {
  send("USER alice@example.test\r\nPASS secret\r\n");
  EXPECT_EQ(send("DELE 1\r\n"), "+OK Message 1 deleted\r\n");
  EXPECT_EQ(send("DELE 1\r\n"), "-ERR Message 1 already deleted\r\n");
  EXPECT_EQ(send("RETR 1\r\n"), "-ERR Message 1 already deleted\r\n");
  EXPECT_EQ(send("STAT\r\n"), "+OK 1 " + std::to_string(kMsg2.size()) + "\r\n");
  EXPECT_EQ(send("LIST\r\n").find("\r\n1 "), std::string::npos);
  EXPECT_EQ(send("RSET\r\n").rfind("+OK Maildrop has 2 messages", 0), 0u);
  EXPECT_EQ(send("DELE 2\r\n"), "+OK Message 2 deleted\r\n");
  EXPECT_TRUE(expunged_.empty());  // nothing happens before QUIT
  EXPECT_EQ(send("QUIT\r\n"), "+OK Postern POP3 server signing off (1 messages deleted)\r\n");
  EXPECT_EQ(expunged_, std::vector<uint32_t>{9});
}

TEST_F(Pop3SessionTest, FailedUpdateIsSysTemp) {
  update_fails_ = true;
  send("USER alice@example.test\r\nPASS secret\r\nDELE 1\r\n");
  EXPECT_EQ(send("QUIT\r\n"), "-ERR [SYS/TEMP] Some deleted messages were not removed\r\n");
}

TEST_F(Pop3SessionTest, TimeoutClosesWithoutUpdate) {
  send("USER alice@example.test\r\nPASS secret\r\nDELE 1\r\n");
  session_->on_timeout();
  EXPECT_EQ(pump(), "-ERR Autologout; idle for too long\r\n");
  EXPECT_EQ(session_->next_action(), Session::Action::close);
  EXPECT_TRUE(expunged_.empty());
}

TEST_F(Pop3SessionTest, VanishedMessageIsAnErrorNotAClose) {
  send("USER alice@example.test\r\nPASS secret\r\n");
  blobs_.erase("h1");
  EXPECT_EQ(send("RETR 1\r\n"), "-ERR Message 1 is no longer available\r\n");
  EXPECT_EQ(session_->next_action(), Session::Action::read);
}

TEST_F(Pop3SessionTest, StateChecks) {
  EXPECT_EQ(send("STAT\r\n"), "-ERR Not logged in\r\n");
  EXPECT_EQ(send("PASS x\r\n"), "-ERR USER first\r\n");
  send("USER alice@example.test\r\nPASS secret\r\n");
  EXPECT_EQ(send("USER bob\r\n"), "-ERR Already logged in\r\n");
  EXPECT_EQ(send("RETR x\r\n"), "-ERR Invalid message number\r\n");
  EXPECT_EQ(send("TOP 1\r\n"), "-ERR Usage: TOP msg n\r\n");
  EXPECT_EQ(send("XYZZY\r\n"), "-ERR Unknown command\r\n");
}

TEST_F(Pop3SessionTest, TooManyBadCommandsClose) {
  start({.tls_active = true, .plaintext_auth_allowed = false});
  std::string out;
  for (int i = 0; i < 10; ++i) out += send("BOGUS\r\n");
  EXPECT_NE(out.find("-ERR Too many bad commands"), std::string::npos);
  EXPECT_EQ(session_->next_action(), Session::Action::close);
  EXPECT_EQ(send("CAPA\r\n"), "");
}

TEST_F(Pop3SessionTest, LongLinesAreRefusedAndSkipped) {
  std::string longline(2000, 'A');
  EXPECT_EQ(send("USER " + longline.substr(0, 600)), "");
  EXPECT_TRUE(session_->partial_line());  // the adapter's slowloris clock runs
  EXPECT_EQ(send(longline), "-ERR Line too long\r\n");
  EXPECT_EQ(send(longline + "\r\nNOOP\r\n"), "-ERR Not logged in\r\n");  // the rest of the long line is dropped
  EXPECT_EQ(send("CAPA\r\n").rfind("+OK Capability", 0), 0u);
  EXPECT_FALSE(session_->partial_line());
  EXPECT_EQ(session_->bad_commands(), 2u);
}

TEST_F(Pop3SessionTest, BytesSplitAnywhere) {
  std::string script = "USER alice@example.test\r\nPASS secret\r\nRETR 1\r\nQUIT\r\n";
  std::string whole;
  {
    start({.tls_active = true});
    whole = send(script);
  }
  start({.tls_active = true});
  std::string split;
  for (char ch : script) split += send(std::string(1, ch));
  EXPECT_EQ(split, whole);
}

}  // namespace
}  // namespace postern::pop3
