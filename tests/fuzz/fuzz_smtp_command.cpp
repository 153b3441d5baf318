// Fuzzes the SMTP command parsers (smtp/proto): a command line, then its
// argument as MAIL, RCPT and BDAT would see it. Checks that every refusal is
// a well-formed reply and every accepted address obeys the length limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smtp/proto/command_arguments.hpp"
#include "smtp/proto/command_line.hpp"
#include "smtp/proto/reply.hpp"

namespace {

using namespace postern;
using namespace postern::smtp;

void check_reply(const Reply& r) {
  if (r.code < 400 || r.code > 599 || r.enhanced.empty()) std::abort();
  std::string wire = format_reply(r);
  // One line only: nothing in the text may break the reply framing.
  if (wire.find("\r\n") != wire.size() - 2) std::abort();
}

void check_address(const EmailAddress& a) {
  if (a.local.empty() || a.local.size() > kMaxLocalPartOctets || a.domain.empty() ||
      a.domain.size() > kMaxDomainOctets)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto line = parse_command_line(input);
  if (!line) {
    check_reply(line.reply());
  } else if (line->verb.empty() || line->verb.size() > kMaxVerbLength) {
    std::abort();
  }
  // The raw input as an argument too, so paths are reached without a verb.
  std::string_view argument = line ? line->argument : input;
  for (bool esmtp : {true, false}) {
    auto mail = parse_mail_from(argument, esmtp);
    if (!mail) check_reply(mail.reply());
    else if (mail->sender) check_address(*mail->sender);
  }
  for (bool utf8 : {true, false}) {
    auto rcpt = parse_rcpt_to(argument, utf8, "mx.example.net");
    if (!rcpt) check_reply(rcpt.reply());
    else check_address(rcpt->recipient);
  }
  auto bdat = parse_bdat(argument);
  if (!bdat) check_reply(bdat.reply());
  return 0;
}
