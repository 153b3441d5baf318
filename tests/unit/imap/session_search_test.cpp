// Session transcripts for SEARCH (every key family through the real store),
// ESEARCH and RETURN options (RFC 4731, RFC 9051 §7.3.4), SEARCHRES "$"
// (RFC 5182), MODSEQ results (RFC 7162 §3.1.5), SORT / ESORT (RFC 5256,
// RFC 5267) and THREAD (RFC 5256).
#include "session_harness.hpp"

#include "mime/header.hpp"
#include "mime/msg_id.hpp"

namespace postern::imap::testing {
namespace {

class SessionSearchTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    login();
  }

  uint32_t put(const std::string& content, std::vector<std::string> flags = {}, int64_t date = 1893456000) {
    store::Delivery d;
    d.content = content;
    d.internal_date = date;
    // What delivery's summarize() gives the store for threading (OBJECTID).
    auto h = mime::parse_header_section(content);
    if (const auto* f = mime::find_field(h, "Message-ID")) d.summary.message_id = mime::first_msg_id(f->value);
    for (const char* name : {"References", "In-Reply-To"})
      if (const auto* f = mime::find_field(h, name))
        for (auto& id : mime::extract_msg_ids(f->value)) d.summary.references.push_back(std::move(id));
    d.targets.push_back({account_, "INBOX", std::move(flags)});
    auto r = wait_done<Result<store::DeliveryReceipt>>([&](auto done) { store_->deliver(std::move(d), done); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->copies.at(0).uid : 0;
  }

  // Three messages of a small discussion, delivered out of date order.
  void discussion() {
    put("From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: Lunch plans\r\n"
        "Date: Mon, 7 Jan 2030 10:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n\r\nShall we meet at noon?\r\n",
        {"\\Seen"}, 1893456000 + 86400 * 6);
    put("From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Re: Lunch plans\r\n"
        "Date: Mon, 7 Jan 2030 11:00:00 +0000\r\nMessage-ID: <m2@example.org>\r\nIn-Reply-To: <m1@example.org>\r\n"
        "References: <m1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nNoon is fine, see you at the caf=C3=A9.\r\n",
        {}, 1893456000 + 86400 * 7);
    put("From: =?utf-8?q?Zo=C3=A9?= <zoe@example.net>\r\nTo: alice@example.org\r\nCc: bob@example.org\r\n"
        "Subject: Agenda\r\nDate: Sun, 6 Jan 2030 09:00:00 +0000\r\nMessage-ID: <m3@example.net>\r\n"
        "X-Priority: 1\r\n\r\nItems for Monday.\r\n",
        {"\\Flagged"}, 1893456000 + 86400 * 5);
  }
};

TEST_F(SessionSearchTest, EveryKeyFamily) {
  discussion();
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 SEARCH FROM alice
    S: * SEARCH 1
    S: a1 OK SEARCH completed
    C: a1 SEARCH FROM "zoé"
    S: * SEARCH 3
    S: a1 OK SEARCH completed
    C: a2 SEARCH SUBJECT "lunch PLANS"
    S: * SEARCH 1 2
    S: a2 OK SEARCH completed
    C: a3 SEARCH BODY "café"
    S: * SEARCH 2
    S: a3 OK SEARCH completed
    C: a4 SEARCH TEXT noon
    S: * SEARCH 1 2
    S: a4 OK SEARCH completed
    C: a5 SEARCH TEXT "x-priority: 1"
    S: * SEARCH 3
    S: a5 OK SEARCH completed
    C: a6 SEARCH HEADER In-Reply-To m1@example.org
    S: * SEARCH 2
    S: a6 OK SEARCH completed
    C: a7 SEARCH OR CC bob TO bob
    S: * SEARCH 1 3
    S: a7 OK SEARCH completed
    C: a8 SEARCH SENTBEFORE 7-Jan-2030
    S: * SEARCH 3
    S: a8 OK SEARCH completed
    C: a9 SEARCH SINCE 7-Jan-2030 NOT SEEN
    S: * SEARCH 2
    S: a9 OK SEARCH completed
    C: b1 UID SEARCH FLAGGED BODY monday
    S: * SEARCH 3
    S: b1 OK SEARCH completed
    C: b2 SEARCH CHARSET UTF-8 BODY "CAFÉ"
    S: * SEARCH 2
    S: b2 OK SEARCH completed
    C: b3 SEARCH CHARSET KOI8-R BODY x
    S: b3 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset
    C: b4 SEARCH BODY nothing-like-this
    S: * SEARCH
    S: b4 OK SEARCH completed
    C: b5 SEARCH LARGER 1 SMALLER 100000 YOUNGER 4000000000
    S: * SEARCH 1 2 3
    S: b5 OK SEARCH completed
  )");
}

TEST_F(SessionSearchTest, EsearchReturnOptions) {
  discussion();
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 SEARCH RETURN (MIN MAX COUNT) TEXT lunch
    S: * ESEARCH (TAG "a1") MIN 1 MAX 2 COUNT 2
    S: a1 OK SEARCH completed
    C: a2 UID SEARCH RETURN () ALL
    S: * ESEARCH (TAG "a2") UID ALL 1:3
    S: a2 OK SEARCH completed
    C: a3 SEARCH RETURN (ALL COUNT) BODY nothing
    S: * ESEARCH (TAG "a3") COUNT 0
    S: a3 OK SEARCH completed
    C: a4 SEARCH RETURN (BOGUS) ALL
    S: a4 BAD %%
  )");
}

// RFC 9051 §6.4.4: IMAP4rev2 clients always get ESEARCH.
TEST_F(SessionSearchTest, Rev2GetsEsearch) {
  discussion();
  send("e1 ENABLE IMAP4rev2\r\n");
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 SEARCH SUBJECT lunch
    S: * ESEARCH (TAG "a1") ALL 1:2
    S: a1 OK SEARCH completed
    C: a2 UID SEARCH SUBJECT nothing
    S: * ESEARCH (TAG "a2") UID
    S: a2 OK SEARCH completed
  )");
}

TEST_F(SessionSearchTest, ModseqResult) {
  discussion();
  send("a0 SELECT INBOX\r\n");
  send("a1 STORE 2 +FLAGS.SILENT (\\Answered)\r\n");
  auto out = send("a2 FETCH 2 MODSEQ\r\n");
  auto p = out.find("MODSEQ (");
  ASSERT_NE(p, std::string::npos) << out;
  std::string modseq = out.substr(p + 8, out.find(')', p) - p - 8);
  transcript(R"(
    C: a3 SEARCH MODSEQ )" + modseq + R"(
    S: * SEARCH 2 (MODSEQ )" + modseq + R"()
    S: a3 OK SEARCH completed
    C: a4 SEARCH RETURN (COUNT) MODSEQ 1
    S: * ESEARCH (TAG "a4") COUNT 3 MODSEQ )" + modseq + R"(
    S: a4 OK SEARCH completed
    C: a5 SEARCH MODSEQ 999999
    S: * SEARCH
    S: a5 OK SEARCH completed
  )");
}

TEST_F(SessionSearchTest, SavedResultIsDollar) {
  discussion();
  put("Subject: fourth\r\n\r\nlunch again\r\n");
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 SEARCH RETURN (SAVE) TEXT lunch
    S: a1 OK SEARCH completed
    C: a2 FETCH $ (UID)
    S: * 1 FETCH (UID 1)
    S: * 2 FETCH (UID 2)
    S: * 4 FETCH (UID 4)
    S: a2 OK FETCH completed
    C: a3 SEARCH $ UNSEEN
    S: * SEARCH 2 4
    S: a3 OK SEARCH completed
    C: a4 UID STORE $ +FLAGS.SILENT (\Deleted)
    S: a4 OK STORE completed
    C: a5 SEARCH DELETED
    S: * SEARCH 1 2 4
    S: a5 OK SEARCH completed
    C: a6 EXPUNGE
    S: * 1 EXPUNGE
    S: * 1 EXPUNGE
    S: * 2 EXPUNGE
    S: a6 OK EXPUNGE completed
    C: a7 FETCH $ (UID)
    S: a7 OK FETCH completed
    C: a8 SEARCH RETURN (SAVE MIN) ALL
    S: * ESEARCH (TAG "a8") MIN 1
    S: a8 OK SEARCH completed
    C: a9 UID FETCH $ (UID)
    S: * 1 FETCH (UID 3)
    S: a9 OK FETCH completed
    C: b1 COPY $ Archive
    S: b1 OK [COPYUID %% 3 1] COPY completed
    C: b2 SEARCH RETURN (SAVE) CHARSET BIG5 ALL
    S: b2 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset
    C: b3 FETCH $ (UID)
    S: b3 OK FETCH completed
    C: b4 SEARCH RETURN (SAVE) ALL
    S: b4 OK SEARCH completed
    C: b5 SELECT INBOX
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: %%
    S: b5 OK [READ-WRITE] SELECT completed
    C: b6 FETCH $ (UID)
    S: b6 OK FETCH completed
  )");
}

TEST_F(SessionSearchTest, Sort) {
  discussion();
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 SORT (SUBJECT) UTF-8 ALL
    S: * SORT 3 1 2
    S: a1 OK SORT completed
    C: a2 SORT (DATE) UTF-8 ALL
    S: * SORT 3 1 2
    S: a2 OK SORT completed
    C: a3 SORT (REVERSE ARRIVAL) US-ASCII NOT FLAGGED
    S: * SORT 2 1
    S: a3 OK SORT completed
    C: a4 UID SORT (FROM) UTF-8 ALL
    S: * SORT 1 2 3
    S: a4 OK SORT completed
    C: a5 SORT (DISPLAYFROM) UTF-8 ALL
    S: * SORT 1 2 3
    S: a5 OK SORT completed
    C: a6 SORT (REVERSE SIZE) UTF-8 TEXT lunch
    S: * SORT 2 1
    S: a6 OK SORT completed
    C: a7 SORT RETURN (MIN MAX ALL COUNT) (SUBJECT) UTF-8 ALL
    S: * ESEARCH (TAG "a7") MIN 3 MAX 2 ALL 3,1:2 COUNT 3
    S: a7 OK SORT completed
    C: a8 SORT (SUBJECT) KOI8-R ALL
    S: a8 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset
    C: a9 SORT (BOGUS) UTF-8 ALL
    S: a9 BAD %%
  )");
}

TEST_F(SessionSearchTest, Thread) {
  discussion();
  put("From: carl@example.com\r\nSubject: Re: Agenda\r\nDate: Sun, 6 Jan 2030 12:00:00 +0000\r\n\r\nok\r\n");
  send("a0 SELECT INBOX\r\n");
  transcript(R"(
    C: a1 THREAD REFERENCES UTF-8 ALL
    S: * THREAD (3 4)(1 2)
    S: a1 OK THREAD completed
    C: a2 THREAD ORDEREDSUBJECT UTF-8 ALL
    S: * THREAD (3 4)(1 2)
    S: a2 OK THREAD completed
    C: a3 UID THREAD REFERENCES UTF-8 NOT FROM carl
    S: * THREAD (3)(1 2)
    S: a3 OK THREAD completed
    C: a4 THREAD REFERENCES UTF-8 BODY nothing
    S: * THREAD
    S: a4 OK THREAD completed
    C: a5 THREAD REFS UTF-8 ALL
    S: a5 BAD %%
  )");
}

// RFC 8474 §6: EMAILID and THREADID search keys, from the OBJECTID ids.
TEST_F(SessionSearchTest, ObjectIds) {
  discussion();
  send("a0 SELECT INBOX\r\n");
  auto out = send("a1 FETCH 2 (EMAILID THREADID)\r\n");
  auto email = out.find("EMAILID (");
  auto thread = out.find("THREADID (");
  ASSERT_NE(email, std::string::npos) << out;
  ASSERT_NE(thread, std::string::npos) << out;
  std::string e = out.substr(email + 9, out.find(')', email) - email - 9);
  std::string t = out.substr(thread + 10, out.find(')', thread) - thread - 10);
  transcript(R"(
    C: a2 SEARCH EMAILID )" + e + R"(
    S: * SEARCH 2
    S: a2 OK SEARCH completed
    C: a3 UID SEARCH THREADID )" + t + R"(
    S: * SEARCH 1 2
    S: a3 OK SEARCH completed
    C: a4 SEARCH EMAILID Mnothing
    S: * SEARCH
    S: a4 OK SEARCH completed
  )");
}

TEST_F(SessionSearchTest, CapabilitiesAdvertised) {
  auto out = send("c1 CAPABILITY\r\n");
  for (const char* cap : {" ESEARCH", " SEARCHRES", " SORT", " SORT=DISPLAY", " ESORT", " THREAD=ORDEREDSUBJECT",
                          " THREAD=REFERENCES", " WITHIN"})
    EXPECT_NE(out.find(cap), std::string::npos) << cap;
}

}  // namespace
}  // namespace postern::imap::testing
