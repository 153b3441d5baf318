// Builds the Received: header; folding keeps each clause on its own line as
// Postfix does, which is what people expect to read.
#include "smtp/server/received_header.hpp"

#include <cstdio>
#include <ctime>
#include <vector>

namespace postern::smtp {
namespace {

constexpr size_t kFoldColumn = 78;

// Appends one header line (the first, or a TAB-continued one) made of
// `atoms` joined by spaces, folding between atoms when the line would pass
// kFoldColumn. Atoms are never split: "from <helo>" stays together.
void append_folded(std::string& out, const std::vector<std::string>& atoms, bool first) {
  if (!first) out += "\r\n\t";
  size_t column = first ? 0 : 8;
  for (size_t i = 0; i < atoms.size(); ++i) {
    if (i > 0 && column + 1 + atoms[i].size() > kFoldColumn) {
      out += "\r\n\t";
      column = 8;
    } else if (i > 0) {
      out += ' ';
      ++column;
    }
    out += atoms[i];
    column += atoms[i].size();
  }
}

}  // namespace

std::string protocol_type(bool esmtp, bool smtputf8, bool tls, bool authenticated) {
  if (!esmtp) return "SMTP";
  std::string p = smtputf8 ? "UTF8SMTP" : "ESMTP";
  if (tls) p += 'S';
  if (authenticated) p += 'A';
  return p;
}

std::string rfc5322_date_utc(int64_t unix_time) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) {
    t = 0;
    gmtime_r(&t, &tm);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string build_received_header(const ReceivedInfo& info) {
  // RFC 5321 §4.4: TCP-info is an address-literal; IPv6 ones carry the tag.
  std::string literal = info.client_ip.find(':') != std::string_view::npos
                            ? "[IPv6:" + std::string(info.client_ip) + "]"
                            : "[" + std::string(info.client_ip) + "]";
  std::string helo(info.helo), host(info.hostname), protocol(info.protocol), id(info.session_id);
  std::string date = rfc5322_date_utc(info.unix_time);
  std::string out;
  append_folded(out, {"Received: from " + helo, "(unknown " + literal + ")"}, true);
  if (info.recipient.empty()) {
    append_folded(out, {"by " + host, "(Postern)", "with " + protocol, "id " + id + ";"}, false);
    append_folded(out, {date}, false);
  } else {
    append_folded(out, {"by " + host, "(Postern)", "with " + protocol, "id " + id}, false);
    append_folded(out, {"for <" + std::string(info.recipient) + ">;", date}, false);
  }
  out += "\r\n";
  return out;
}

}  // namespace postern::smtp
