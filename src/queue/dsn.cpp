// RFC 3464 delivery status notifications; see dsn.hpp.
#include "queue/dsn.hpp"

#include "core/strings.hpp"
#include "mime/header.hpp"

namespace postern::queue {

namespace {

// RFC 6533 §3: a UTF-8 address is typed "utf-8", others "rfc822".
std::string address_field(const std::string& a) { return (is_ascii(a) ? "rfc822; " : "utf-8; ") + a; }

// An SMTP reply is reported as such; our own reasons ("connection refused")
// get a private diagnostic type (RFC 3464 §2.3.6).
std::string diagnostic_field(const std::string& d) {
  bool smtp = d.size() >= 3 && d[0] >= '2' && d[0] <= '5' && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' &&
              d[2] <= '9' && (d.size() == 3 || d[3] == ' ');
  std::string clean;
  for (char c : d) clean.push_back((c == '\r' || c == '\n') ? ' ' : c);
  return (smtp ? "smtp; " : "X-Postern; ") + clean;
}

}  // namespace

std::string_view header_section(std::string_view message) {
  size_t end = message.find("\r\n\r\n");
  if (end != std::string_view::npos) return message.substr(0, end + 2);
  if (message.substr(0, 2) == "\r\n") return {};
  return message;
}

std::string build_dsn(const DsnInput& in) {
  bool any_failed = false;
  for (const auto& r : in.recipients)
    if (r.action == DsnAction::failed) any_failed = true;
  std::string boundary = "=_postern_dsn_" + in.boundary_seed;
  std::string date = mime::format_date(in.now);
  std::string out;
  out += "From: Mail Delivery System <MAILER-DAEMON@" + in.reporting_mta + ">\r\n";
  out += "To: <" + in.sender + ">\r\n";
  out += any_failed ? "Subject: Undelivered Mail Returned to Sender\r\n"
                    : "Subject: Delayed Mail (still being retried)\r\n";
  out += "Date: " + date + "\r\n";
  out += "Message-ID: <dsn." + in.boundary_seed + "@" + in.reporting_mta + ">\r\n";
  out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834 §5: no auto-reply loops
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n";
  out += "\r\nThis is a MIME-encapsulated delivery status notification.\r\n";

  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  out += "This is the mail system at " + in.reporting_mta + ".\r\n\r\n";
  if (any_failed)
    out += "Your message could not be delivered to one or more recipients.\r\nIt is attached below.\r\n\r\n";
  else
    out += "Your message has not been delivered yet to the recipients below.\r\n"
           "It is still being retried; you do not need to send it again.\r\n\r\n";
  for (const auto& r : in.recipients) {
    out += "<" + r.address + ">: " + (r.action == DsnAction::failed ? "failed" : "delayed") + "\r\n";
    out += "    " + r.diagnostic + "\r\n";
  }

  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: message/delivery-status\r\n\r\n";
  // RFC 3464 §2.2: the per-message fields, then one block per recipient.
  out += "Reporting-MTA: dns; " + in.reporting_mta + "\r\n";
  out += "Arrival-Date: " + mime::format_date(in.arrival) + "\r\n";
  for (const auto& r : in.recipients) {
    out += "\r\n";
    out += "Final-Recipient: " + address_field(r.address) + "\r\n";
    out += std::string("Action: ") + (r.action == DsnAction::failed ? "failed" : "delayed") + "\r\n";
    out += "Status: " + r.status + "\r\n";
    if (!r.diagnostic.empty()) out += "Diagnostic-Code: " + diagnostic_field(r.diagnostic) + "\r\n";
    if (r.last_attempt > 0) out += "Last-Attempt-Date: " + mime::format_date(r.last_attempt) + "\r\n";
    if (r.action == DsnAction::delayed && r.retry_until > 0)
      out += "Will-Retry-Until: " + mime::format_date(r.retry_until) + "\r\n";
  }

  // RFC 3462 §2: the third part returns the original's header only.
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/rfc822-headers\r\n\r\n";
  std::string_view header = header_section(in.original);
  out.append(header);
  if (!header.empty() && header.substr(header.size() - 2) != "\r\n") out += "\r\n";
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace postern::queue
