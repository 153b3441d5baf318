// Reply helpers, capability list and mailbox lookup shared by all handlers.
#include "imap/session/context.hpp"

#include "core/strings.hpp"
#include "imap/proto/mutf7.hpp"
#include "store/flags.hpp"

namespace postern::imap {

void SessionContext::ok(std::string_view tag, std::string_view text, std::string_view code, std::string_view args) {
  reply = Reply{std::string(tag), Condition::ok, std::string(text), std::string(code), std::string(args)};
}

void SessionContext::no(std::string_view tag, std::string_view text, std::string_view code, std::string_view args) {
  reply = Reply{std::string(tag), Condition::no, std::string(text), std::string(code), std::string(args)};
}

void SessionContext::bad(std::string_view tag, std::string_view text, std::string_view code) {
  reply = Reply{std::string(tag), Condition::bad, std::string(text), std::string(code), {}};
}

void SessionContext::flush_reply() {
  if (!reply) return;
  auto r = std::move(*reply);
  reply.reset();
  if (r.tag == "*") {
    append_untagged_status(out, r.condition, r.text, r.code, r.args);
  } else {
    append_tagged(out, r.tag, r.condition, r.text, r.code, r.args);
  }
  // Clients stuck in a loop of bad commands (or not speaking IMAP at all)
  // get disconnected rather than answered forever.
  if (r.condition == Condition::bad && ++bad_commands >= kMaxBadCommands && !close) {
    append_untagged_status(out, Condition::bye, "Too many invalid commands");
    close = true;
  }
}

void SessionContext::fail(std::string_view tag, const Error& e, std::string_view user_code) {
  switch (e.kind) {
    case ErrorKind::syntax: bad(tag, e.message); break;
    case ErrorKind::user: no(tag, e.message, user_code); break;
    case ErrorKind::temporary: no(tag, e.message, "UNAVAILABLE"); break;
    case ErrorKind::internal: no(tag, "Internal error", "SERVERBUG"); break;
  }
}

std::string SessionContext::capabilities() const {
  std::string c = "IMAP4rev1 IMAP4rev2";
  if (state == SessionState::not_authenticated) {
    if (!options.tls_active && options.starttls_available) c += " STARTTLS";
    if (login_disabled()) {
      c += " LOGINDISABLED";
    } else {
      c += " AUTH=PLAIN";
    }
    c += " SASL-IR";
  }
  if (state != SessionState::not_authenticated && !compress_active) c += " COMPRESS=DEFLATE";
  c += " LITERAL+ ID IDLE NAMESPACE UIDPLUS ENABLE UNSELECT MOVE SPECIAL-USE CONDSTORE QRESYNC"
       " LIST-EXTENDED LIST-STATUS CREATE-SPECIAL-USE STATUS=SIZE OBJECTID MULTIAPPEND BINARY"
       " QUOTA QUOTA=RES-STORAGE";
  // Searching (imap/search/): RFC 4731, 5182, 5256, 5957, 5267, 5032.
  c += " ESEARCH SEARCHRES SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES WITHIN";
  return c;
}

std::string_view mailbox_error_code(const Error& e) {
  auto m = to_lower_ascii(e.message);
  if (m.find("exists") != std::string::npos) return "ALREADYEXISTS";
  if (m.find("no such") != std::string::npos || m.find("not found") != std::string::npos ||
      m.find("unknown") != std::string::npos)
    return "NONEXISTENT";
  return {};
}

Task<Result<std::optional<store::MailboxInfo>>> find_mailbox(SessionContext& s, std::string name) {
  auto boxes = co_await s.access.list_mailboxes(s.account());
  if (!boxes) co_return boxes.error();
  bool inbox = iequals(name, "INBOX");
  for (auto& b : *boxes) {
    if (b.name == name || (inbox && iequals(b.name, "INBOX"))) co_return std::optional<store::MailboxInfo>(b);
  }
  co_return std::optional<store::MailboxInfo>();
}

Task<std::optional<store::MailboxInfo>> require_mailbox(SessionContext& s, std::string tag, std::string wire,
                                                        std::string missing_code) {
  auto name = mailbox_from_wire(wire, s.utf8());
  if (!name) {
    s.fail(tag, name.error());
    co_return std::nullopt;
  }
  auto info = co_await find_mailbox(s, std::move(*name));
  if (!info) {
    s.fail(tag, info.error());
    co_return std::nullopt;
  }
  if (!*info) s.no(tag, "Mailbox does not exist", missing_code);
  co_return std::move(*info);
}

void append_flag_list(ResponseBuilder& r, std::string_view canonical) {
  r.open();
  for (const auto& f : store::split_flags(canonical)) r.atom(f);
  r.close();
}

}  // namespace postern::imap
