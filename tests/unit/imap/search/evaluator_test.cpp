// The search evaluator on real messages (tests/data/mime/*.eml and a few
// of our own): every key family of RFC 9051 §6.4.4 and the extensions'
// keys, the two evaluation phases, and that only what a key needs is read.
#include <gtest/gtest.h>

#include "search_harness.hpp"

namespace postern::imap::testing {
namespace {

struct Case {
  const char* keys;
  bool expected;
};

class EvaluatorTest : public SearchFixture {
 protected:
  void check(TestMessage& m, std::initializer_list<Case> cases, const char* what) {
    for (const auto& c : cases) EXPECT_EQ(matches(c.keys, m), c.expected) << what << ": SEARCH " << c.keys;
  }
};

// RFC 9051 §6.4.4 FROM/TO/CC/BCC/SUBJECT: decoded (RFC 2047), case-
// insensitive substrings of the envelope fields.
TEST_F(EvaluatorTest, EnvelopeKeysDecodeEncodedWords) {
  auto m = make(crlf(read_data_file("mime/encoded_words.eml")));
  check(m,
        {
            {"FROM \"jörg\"", true},
            {"FROM \"JÖRG MÜLLER\"", true},
            {"FROM \"Jorg\"", false},  // "ö" is o + U+0308: "jorg" is not a substring of "jo\u0308rg"
            {"FROM joerg@example.de", true},
            {"FROM \"<joerg@example.de>\"", true},
            {"TO \"joël\"", true},  // ISO-8859-1, base64
            {"TO ann@example.fr", true},
            {"CC ann", false},
            {"BCC \"\"", false},  // no Bcc field
            {"FROM \"\"", true},  // present
            {"SUBJECT \"café\"", true},
            {"SUBJECT CAFE", true},  // accent-insensitive prefix, as Dovecot's decomposition gives
            {"SUBJECT smile", true},
            {"SUBJECT \"😀 smile and café\"", true},
            {"SUBJECT iso-8859-1", false},  // the charset name is not text
            {"HEADER Content-Disposition \"é.txt\"", true},
            {"HEADER content-disposition \"\"", true},
            {"HEADER X-Nothing \"\"", false},
            {"BODY x", true},
            {"BODY joerg", false},  // headers are not BODY
            {"TEXT joerg", true},
        },
        "encoded_words");
}

TEST_F(EvaluatorTest, BodyIsDecodedTextParts) {
  auto m = make(crlf(read_data_file("mime/multipart_alternative.eml")));
  check(m,
        {
            {"BODY \"café at noon\"", true},  // quoted-printable, UTF-8
            {"BODY \"CAFÉ AT\"", true},
            {"BODY \"<b>noon</b>\"", true},  // text/html is text
            {"BODY \"Caf=C3=A9\"", false},  // the encoded form is not the text
            {"BODY alternatives", false},  // the subject is not body text
            {"BODY \"multi-part message\"", false},  // nor the multipart preamble (as Dovecot)
            {"TEXT alternatives", true},
            {"TEXT \"subject: alternatives\"", true},  // header lines read as "Name: value"
            {"TEXT quoted-printable", true},  // MIME part headers are TEXT
            {"TEXT noon", true},
        },
        "multipart_alternative");
}

TEST_F(EvaluatorTest, EmbeddedMessages) {
  auto m = make(crlf(read_data_file("mime/message_rfc822.eml")));
  check(m,
        {
            {"BODY hi", true},  // text part of the forwarded message
            {"BODY \"<p>hi</p>\"", true},
            {"BODY eve@example.com", false},  // its header is not BODY
            {"TEXT eve@example.com", true},  // but it is TEXT
            {"TEXT \"forwarded message\"", true},
            {"FROM eve", false},  // envelope keys look at the message's own header
            {"FROM carol", true},
            {"CC frank", false},
            {"SUBJECT \"fwd: hello\"", true},
        },
        "message_rfc822");
}

TEST_F(EvaluatorTest, NonTextPartsAreNotSearched) {
  auto m = make(crlf(read_data_file("mime/nested_multipart.eml")));
  check(m,
        {
            {"BODY notes", true},
            {"BODY \"line two\"", true},
            {"BODY \"cid:i1\"", true},
            {"BODY iVBOR", false},  // image/png
            {"TEXT image/png", true},
        },
        "nested_multipart");
  auto pdf = make(crlf(read_data_file("mime/mixed_attachment_rfc2231.eml")));
  check(pdf, {{"BODY \"attached report\"", true}, {"BODY JVBER", false}, {"TEXT \"the report\"", true}}, "pdf");
}

TEST_F(EvaluatorTest, EightBitHeadersAreReadAsLatin1WhenNotUtf8) {
  auto m = make(crlf(read_data_file("mime/eight_bit_headers.eml")));
  check(m, {{"SUBJECT \"café\"", true}, {"FROM \"jörg\"", true}, {"FROM \"JÖRG\"", true}}, "eight_bit_headers");
}

TEST_F(EvaluatorTest, TransferEncodingsAndCharsets) {
  auto b64 = make(
      "Subject: b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "Q2Fm6SBjcuhtZQ==\r\n");  // "Café crème" in ISO-8859-1
  check(b64, {{"BODY \"café crème\"", true}, {"BODY \"CAFÉ CRÈME\"", true}, {"BODY Q2Fm", false}}, "base64");
  auto qp = make(
      "Subject: q\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "soft line br=\r\neak and =D0=9F=D0=A0=D0=98=D0=92=D0=95=D0=A2 padding   \r\nnext\r\n");
  check(qp, {{"BODY \"line break\"", true}, {"BODY \"привет\"", true}, {"BODY \"padding next\"", false}}, "qp");
  auto latin1_raw = make("Subject: r\r\nContent-Type: text/plain\r\n\r\nna\xEFve\r\n");  // 8-bit in us-ascii
  check(latin1_raw, {{"BODY \"naïve\"", true}, {"BODY \"NAÏVE\"", true}}, "8bit");
  auto greek = make("Subject: =?utf-8?b?zqPOn86mzpnOkQ==?=\r\n\r\nx\r\n");  // ΣΟΦΙΑ
  check(greek, {{"SUBJECT \"σοφια\"", true}}, "greek");
}

TEST_F(EvaluatorTest, HeaderKeyUnfoldsAndFindsEveryOccurrence) {
  auto m = make(
      "Received: from a\r\nReceived: from b.example\r\n (helo)\r\nX-Long: one\r\n two\r\nSubject: s\r\n\r\nbody\r\n");
  check(m,
        {
            {"HEADER received b.example", true},  // the second of two fields
            {"HEADER X-Long \"one two\"", true},   // unfolded
            {"HEADER X-Long body", false},
            {"TEXT \"one two\"", true},
        },
        "header");
}

// RFC 9051 §6.4.4 SENT*: the Date: header's own calendar day.
TEST_F(EvaluatorTest, SentDatesDisregardTimeAndZone) {
  auto late = make("Date: Tue, 1 Jan 2030 23:30:00 -0500\r\nSubject: x\r\n\r\nb\r\n");  // 2 Jan in UTC
  check(late,
        {
            {"SENTON 1-Jan-2030", true},
            {"SENTON 2-Jan-2030", false},
            {"SENTBEFORE 2-Jan-2030", true},
            {"SENTBEFORE 1-Jan-2030", false},
            {"SENTSINCE 1-Jan-2030", true},
            {"SENTSINCE 2-Jan-2030", false},
        },
        "late");
  auto undated = make("Subject: x\r\n\r\nb\r\n");
  check(undated, {{"SENTBEFORE 1-Jan-2100", false}, {"SENTSINCE 1-Jan-1970", false}, {"NOT SENTON 1-Jan-2030", true}},
        "undated");
}

TEST_F(EvaluatorTest, InternalDateSizeAndAge) {
  auto m = make("Subject: x\r\n\r\nbody\r\n", 1893456000 + 3600);  // 1-Jan-2030 01:00 UTC
  const auto size = std::to_string(m.content.size());
  check(m,
        {
            {"ON 1-Jan-2030", true},
            {"BEFORE 1-Jan-2030", false},
            {"BEFORE 2-Jan-2030", true},
            {"SINCE 1-Jan-2030", true},
            {"SINCE 2-Jan-2030", false},
            {"YOUNGER 86400", true},  // now is 2-Jan-2030 00:00: 23 hours old
            {"OLDER 86400", false},
            {"OLDER 82800", true},    // exactly 23 hours: both, as Dovecot
            {"YOUNGER 82800", true},
            {"YOUNGER 3600", false},
        },
        "dates");
  EXPECT_TRUE(matches("LARGER " + std::to_string(m.content.size() - 1), m));
  EXPECT_FALSE(matches("LARGER " + size, m));
  EXPECT_TRUE(matches("SMALLER " + std::to_string(m.content.size() + 1), m));
  EXPECT_FALSE(matches("SMALLER " + size, m));
}

TEST_F(EvaluatorTest, FlagsSetsAndLogic) {
  auto m = make("Subject: x\r\n\r\nb\r\n");
  m.flags = "$Junk \\Flagged \\Seen";
  m.facts.seq = 3;
  m.facts.uid = 11;
  m.facts.modseq = 40;
  check(m,
        {
            {"ALL", true},
            {"SEEN", true},
            {"UNSEEN", false},
            {"FLAGGED ANSWERED", false},
            {"UNANSWERED UNDELETED UNDRAFT", true},
            {"KEYWORD $junk", true},  // keywords compare case-insensitively
            {"UNKEYWORD $Junk", false},
            {"KEYWORD \\Seen", true},
            {"NEW", false},
            {"RECENT", false},
            {"OLD", true},
            {"2:4", true},
            {"4:2", true},
            {"5:*", false},
            {"3,9", true},
            {"UID 10:*", true},  // "*" is 12
            {"UID 12:*", false},
            {"UID 11", true},
            {"NOT SEEN", false},
            {"OR DELETED FLAGGED", true},
            {"OR DELETED DRAFT", false},
            {"(SEEN (FLAGGED 3))", true},
            {"NOT (SEEN DELETED)", true},
            {"MODSEQ 40", true},  // RFC 7162 §3.1.5: equal or greater
            {"MODSEQ 41", false},
            {"MODSEQ \"/flags/\\\\Seen\" all 40", true},
            {"SAVEDATESUPPORTED", false},  // RFC 8514: no save dates are recorded
            {"SAVEDSINCE 1-Jan-1970", false},
            {"EMAILID M1", false},  // no object id source: nothing matches
        },
        "flags");
}

TEST_F(EvaluatorTest, SavedResultAndObjectIds) {
  auto m = make("Subject: x\r\n\r\nb\r\n");
  m.facts.uid = 11;
  std::vector<uint32_t> saved = {3, 11};
  ctx_.saved = saved;
  EXPECT_TRUE(matches("$", m));
  EXPECT_TRUE(matches("UID $", m));
  m.facts.uid = 12;
  EXPECT_FALSE(matches("$", m));
  ctx_.object_id = [](const store::MessageData& d, SearchKeyKind k) {
    return (k == SearchKeyKind::emailid ? "M" : "T") + std::to_string(d.message_id);
  };
  const auto id = std::to_string(m.data.message_id);
  EXPECT_TRUE(matches("EMAILID M" + id, m));
  EXPECT_FALSE(matches("EMAILID T" + id, m));
  EXPECT_TRUE(matches("THREADID T" + id, m));
}

// Phase one decides what the view can; content is read only as needed.
TEST_F(EvaluatorTest, ReadsOnlyWhatKeysNeed) {
  auto m = make("From: Bob <bob@example.org>\r\nSubject: hello\r\nX-Tag: blue\r\n\r\nthe body text\r\n");
  m.flags = "\\Seen";
  auto read = [&](const std::string& keys) {
    blobs_.reads = 0;
    blobs_.last_max = 0;
    matches(keys, m);
    return blobs_.reads;
  };
  EXPECT_EQ(read("UNSEEN BODY text"), 0);  // phase one says no
  EXPECT_EQ(read("FROM bob SUBJECT hello"), 0);  // the cached envelope
  EXPECT_EQ(read("SENTSINCE 1-Jan-2000"), 0);
  EXPECT_EQ(read("OR SUBJECT hello BODY text"), 0);  // the cheaper operand decides
  EXPECT_EQ(read("BODY text SUBJECT nothing"), 0);  // AND: the subject first
  EXPECT_EQ(read("HEADER X-Tag blue"), 1);
  auto header_size = m.content.find("\r\n\r\n") + 4;
  EXPECT_EQ(blobs_.last_max, header_size);  // the header section alone
  EXPECT_EQ(read("BODY text"), 1);
  EXPECT_EQ(blobs_.last_max, 0u);  // the whole message
  EXPECT_EQ(read("HEADER X-Tag blue BODY text"), 2);

  auto p = prepare("SEEN BODY x");
  m.facts.flags = m.flags;
  EXPECT_EQ(match_row(p.key, m.facts, ctx_), Verdict::unknown);
  p = prepare("OR SEEN BODY x");
  EXPECT_EQ(match_row(p.key, m.facts, ctx_), Verdict::yes);
  p = prepare("NOT SEEN");
  EXPECT_EQ(match_row(p.key, m.facts, ctx_), Verdict::no);
  EXPECT_EQ(prepare("SEEN").need, SearchNeed::row);
  EXPECT_EQ(prepare("SEEN LARGER 5").need, SearchNeed::data);
  EXPECT_EQ(prepare("OR FROM x LARGER 5").need, SearchNeed::structure);
  EXPECT_EQ(prepare("NOT HEADER a b").need, SearchNeed::header);
  EXPECT_EQ(prepare("SEEN (TEXT x)").need, SearchNeed::message);
  EXPECT_TRUE(prepare("MODSEQ 5").uses_modseq);
  EXPECT_FALSE(prepare("SEEN").uses_modseq);
}

TEST_F(EvaluatorTest, UnreadableBlobMatchesNoContentKey) {
  auto m = make("Subject: x\r\n\r\nbody\r\n");
  blobs_.blobs.clear();
  EXPECT_FALSE(matches("BODY body", m));
  EXPECT_TRUE(matches("NOT BODY body", m));
  EXPECT_TRUE(matches("SUBJECT x", m));  // the envelope is cached
  m.data.structure.clear();              // no cache and no blob: an empty message
  EXPECT_FALSE(matches("SUBJECT x", m));
}

TEST_F(EvaluatorTest, MissingStructureCacheIsParsedFromTheBlob) {
  auto m = make("Subject: cached?\r\nX-A: b\r\n\r\nbody words\r\n");
  m.data.structure = "garbage";
  EXPECT_TRUE(matches("SUBJECT cached", m));
  EXPECT_TRUE(matches("HEADER X-A b", m));
  EXPECT_TRUE(matches("BODY words", m));
}

}  // namespace
}  // namespace postern::imap::testing
