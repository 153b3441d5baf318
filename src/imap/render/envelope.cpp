// ENVELOPE: ten fields, address lists as lists of (name adl mailbox host).
#include "imap/render/envelope.hpp"

#include "imap/render/imap_string.hpp"

namespace postern::imap {
namespace {

using render_detail::append_nstring;

// RFC 9051 §7.5.2: an address list is NIL or "(" 1*address ")"; group
// markers are addresses with a NIL host, written as they are stored.
void append_addresses(std::string& out, const std::vector<mime::Address>& list, const WriterOptions& o) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    out += '(';
    append_nstring(out, a.name, o);
    out += ' ';
    append_nstring(out, a.adl, o);
    out += ' ';
    append_nstring(out, a.mailbox, o);
    out += ' ';
    append_nstring(out, a.host, o);
    out += ')';
  }
  out += ')';
}

}  // namespace

void append_envelope(std::string& out, const mime::Envelope& e, const WriterOptions& o) {
  out += '(';
  append_nstring(out, e.date, o);
  out += ' ';
  append_nstring(out, e.subject, o);
  out += ' ';
  append_addresses(out, e.from, o);
  out += ' ';
  // RFC 9051 §7.5.2: "If the Sender or Reply-To lines are absent in the
  // [RFC-5322] header, or are present but empty, the server sets the
  // corresponding member of the envelope to be the same value as the from member."
  append_addresses(out, e.sender.empty() ? e.from : e.sender, o);
  out += ' ';
  append_addresses(out, e.reply_to.empty() ? e.from : e.reply_to, o);
  out += ' ';
  append_addresses(out, e.to, o);
  out += ' ';
  append_addresses(out, e.cc, o);
  out += ' ';
  append_addresses(out, e.bcc, o);
  out += ' ';
  append_nstring(out, e.in_reply_to, o);
  out += ' ';
  append_nstring(out, e.message_id, o);
  out += ')';
}

std::string render_envelope(const mime::Envelope& envelope, const WriterOptions& options) {
  std::string out;
  append_envelope(out, envelope, options);
  return out;
}

}  // namespace postern::imap
