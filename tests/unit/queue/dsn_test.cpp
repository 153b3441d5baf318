// RFC 3464 DSNs built by the queue.
#include "queue/dsn.hpp"

#include <gtest/gtest.h>

namespace postern::queue {
namespace {

DsnInput input() {
  DsnInput in;
  in.reporting_mta = "mail.example.org";
  in.sender = "alice@example.org";
  in.arrival = 1700000000;
  in.now = 1700000100;
  in.original = "From: alice@example.org\r\nSubject: Hello\r\n\r\nsecret body\r\n";
  in.boundary_seed = "42.1700000100";
  return in;
}

TEST(Dsn, FailedRecipientReport) {
  DsnInput in = input();
  in.recipients.push_back({"bob@example.com", DsnAction::failed, "5.1.1", "550 5.1.1 no such user", 1700000050, 0});
  std::string d = build_dsn(in);
  EXPECT_NE(d.find("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"=_postern_dsn_42.1700000100\""),
            std::string::npos);
  EXPECT_NE(d.find("To: <alice@example.org>\r\n"), std::string::npos);
  EXPECT_NE(d.find("Subject: Undelivered Mail Returned to Sender\r\n"), std::string::npos);
  EXPECT_NE(d.find("Auto-Submitted: auto-replied\r\n"), std::string::npos);
  EXPECT_NE(d.find("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example.org\r\n"),
            std::string::npos);
  EXPECT_NE(d.find("\r\n\r\nFinal-Recipient: rfc822; bob@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                   "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"),
            std::string::npos);
  // RFC 3462: only the original's header comes back.
  EXPECT_NE(d.find("Content-Type: text/rfc822-headers\r\n\r\nFrom: alice@example.org\r\nSubject: Hello\r\n"),
            std::string::npos);
  EXPECT_EQ(d.find("secret body"), std::string::npos);
  EXPECT_TRUE(d.ends_with("\r\n--=_postern_dsn_42.1700000100--\r\n"));
}

TEST(Dsn, DelayedAndLocalReasons) {
  DsnInput in = input();
  in.recipients.push_back({"c@example.net", DsnAction::delayed, "4.4.1", "connection refused", 1700000090,
                           1700432000});
  in.recipients.push_back({"ü@example.net", DsnAction::delayed, "4.0.0", "421 busy", 0, 1700432000});
  std::string d = build_dsn(in);
  EXPECT_NE(d.find("Subject: Delayed Mail (still being retried)"), std::string::npos);
  EXPECT_NE(d.find("Action: delayed\r\nStatus: 4.4.1\r\nDiagnostic-Code: X-Postern; connection refused\r\n"),
            std::string::npos);
  EXPECT_NE(d.find("Will-Retry-Until: "), std::string::npos);
  EXPECT_NE(d.find("Final-Recipient: utf-8; ü@example.net"), std::string::npos);  // RFC 6533
}

TEST(Dsn, HeaderSection) {
  EXPECT_EQ(header_section("A: b\r\n\r\nbody"), "A: b\r\n");
  EXPECT_EQ(header_section("A: b\r\n"), "A: b\r\n");
  EXPECT_EQ(header_section("\r\nbody"), "");
}

}  // namespace
}  // namespace postern::queue
