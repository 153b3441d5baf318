// Serializes IMAP server responses (RFC 9051 §7, §9 "response"): untagged
// "*" data, tagged OK/NO/BAD with response codes, "+" continuations, and a
// builder for the data inside them (atoms, numbers, strings chosen as quoted
// or literal, literal8, NIL, lists). Writes into a caller-owned std::string;
// never fails. Peer-derived text is sanitized so it cannot break the framing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

enum class Condition { ok, no, bad, preauth, bye };

struct WriterOptions {
  // The client enabled IMAP4rev2 or UTF8=ACCEPT: 8-bit UTF-8 may go in quoted
  // strings (RFC 9051 §9 quoted-char). Otherwise 8-bit data is sent as a literal.
  bool utf8 = false;
  // Longest string sent quoted; longer ones become literals (readability of
  // the wire, and some clients have small quoted-string buffers).
  size_t max_quoted = 1024;
};

// Builds one response line (which may contain literals) into `out`. Items
// are separated by one space automatically, except right after "(" or "[".
//   ResponseBuilder r(out);
//   r.untagged().number(12).atom("FETCH").open().atom("UID").number(7)
//    .atom("FLAGS").open().atom("\\Seen").close().close().end();
// gives "* 12 FETCH (UID 7 FLAGS (\Seen))\r\n".
class ResponseBuilder {
 public:
  explicit ResponseBuilder(std::string& out, WriterOptions options = {}) : out_(out), opt_(options) {}

  ResponseBuilder& untagged();                 // "*"
  ResponseBuilder& tagged(std::string_view tag);
  ResponseBuilder& continuation();             // "+"
  ResponseBuilder& condition(Condition c);     // OK / NO / BAD / PREAUTH / BYE

  // Written as-is (caller guarantees it is a valid atom / flag / section name).
  ResponseBuilder& atom(std::string_view a);
  ResponseBuilder& number(uint64_t n);
  // string: quoted when short, 7-bit (or valid UTF-8 with options.utf8) and
  // free of CR, LF and NUL; otherwise a literal {n}. NUL octets are not
  // valid in a literal (CHAR8): use binary() for data that may contain them.
  ResponseBuilder& string(std::string_view s);
  // astring: an atom when every octet is an ASTRING-CHAR and it is not "NIL",
  // else string() (mailbox names, capability arguments).
  ResponseBuilder& astring(std::string_view s);
  // nstring: NIL when absent.
  ResponseBuilder& nstring(const std::optional<std::string_view>& s);
  ResponseBuilder& nil();
  // For FETCH BINARY[...] data (RFC 3516 §4.2): literal8 "~{n}" when the
  // data holds NUL, otherwise as string().
  ResponseBuilder& binary(std::string_view data);
  ResponseBuilder& literal(std::string_view data);  // always {n}
  ResponseBuilder& open();   // "("
  ResponseBuilder& close();  // ")"
  // A response code: "[" name [SP args] "]"; name and args are written raw.
  ResponseBuilder& code(std::string_view name, std::string_view args = {});
  // Human-readable text up to the end of the line: CR, LF, NUL and other
  // controls become spaces; 8-bit passes only with options.utf8 and valid
  // UTF-8 (else '?'). A leading "[" (which would read as a response code) is
  // replaced by "(" .
  ResponseBuilder& text(std::string_view t);
  // Raw octets (already serialized). Use sparingly.
  ResponseBuilder& raw(std::string_view r);
  void end();  // CRLF

 private:
  void sep();
  std::string& out_;
  WriterOptions opt_;
  bool need_space_ = false;
};

// One-line helpers for the common status responses.
// "tag OK [CODE args] text\r\n" (empty code omits the brackets).
void append_tagged(std::string& out, std::string_view tag, Condition c, std::string_view text,
                   std::string_view code = {}, std::string_view code_args = {});
// "* OK [CODE args] text\r\n"
void append_untagged_status(std::string& out, Condition c, std::string_view text, std::string_view code = {},
                            std::string_view code_args = {});
// "+ text\r\n" (text "Ready for literal data" by default, for the reader's
// ContinuationRequest; SASL challenges pass their base64, possibly empty).
void append_continuation(std::string& out, std::string_view text = "Ready for literal data");

// Appends `s` as an IMAP quoted string with '"' and '\' escaped. Precondition:
// no CR, LF or NUL (use ResponseBuilder::string to choose the form).
void append_quoted(std::string& out, std::string_view s);
// True when string() would quote `s`.
bool can_quote(std::string_view s, const WriterOptions& options);

}  // namespace postern::imap
