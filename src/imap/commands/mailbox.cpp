// Mailbox management: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE
// (RFC 9051 §6.3.4-§6.3.8; CREATE-SPECIAL-USE RFC 6154 §3). Names arrive in wire form (mUTF-7 or UTF-8)
// and go to the store as UTF-8 with "/" as the hierarchy delimiter.
#include "core/strings.hpp"
#include "imap/commands/command_table.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/mutf7.hpp"
#include "imap/session/object_ids.hpp"

namespace postern::imap {

namespace {

// Wire -> store name; a trailing "/" (RFC 9051 §6.3.4: "create as a parent")
// is dropped since the store creates intermediate levels implicitly.
Result<std::string> store_name(const SessionContext& s, std::string_view wire) {
  auto name = mailbox_from_wire(wire, s.utf8());
  if (!name) return name.error();
  std::string n = std::move(*name);
  while (!n.empty() && n.back() == '/') n.pop_back();
  if (n.empty() || n.front() == '/' || n.find("//") != std::string::npos)
    return Error{user_error("Invalid mailbox name")};
  if (iequals(n, "INBOX")) n = "INBOX";
  return n;
}

// The single mailbox argument of CREATE/DELETE/SUBSCRIBE/UNSUBSCRIBE as a
// store name; on failure the tagged reply is written (`invalid_code` for a
// name that cannot exist) and nullopt returned.
std::optional<std::string> single_mailbox(SessionContext& s, const Command& c, std::string_view invalid_code) {
  auto wire = parse_single_mailbox(c.args);
  if (!wire) {
    s.fail(c.tag, wire.error());
    return std::nullopt;
  }
  auto name = store_name(s, *wire);
  if (!name) {
    s.fail(c.tag, name.error(), invalid_code);
    return std::nullopt;
  }
  return std::move(*name);
}

// RFC 6154 §2 attributes a stored mailbox can carry ("" when not one):
// \All and \Flagged are virtual views, which this store has none of.
std::string canonical_special_use(std::string_view attr) {
  for (std::string_view u : {"\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash"})
    if (iequals(attr, u)) return std::string(u);
  return {};
}

void status_reply(SessionContext& s, std::string_view tag, const Status& st, std::string_view done) {
  if (st) {
    s.ok(tag, done);
  } else {
    s.fail(tag, st.error(), mailbox_error_code(st.error()));
  }
}

}  // namespace

// RFC 9051 §6.3.4; USE (RFC 6154 §3, CREATE-SPECIAL-USE): one of the
// special uses a real mailbox can have, each used by one mailbox at most.
Task<void> cmd_create(SessionContext& s, Command& c) {
  auto args = parse_create(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  auto name = store_name(s, args->mailbox);
  if (!name) {
    s.fail(c.tag, name.error(), "CANNOT");
    co_return;
  }
  if (*name == "INBOX") {
    s.no(c.tag, "INBOX always exists", "ALREADYEXISTS");
    co_return;
  }
  std::string use;
  if (args->use.size() > 1) {
    s.no(c.tag, "A mailbox can have one special use", "USEATTR");
    co_return;
  }
  if (args->use.size() == 1) {
    use = canonical_special_use(args->use[0]);
    if (use.empty()) {
      s.no(c.tag, "Unsupported special use " + args->use[0] + " (\\Archive \\Drafts \\Junk \\Sent \\Trash)",
           "USEATTR");
      co_return;
    }
  }
  auto r = co_await s.access.create_mailbox(s.account(), *name, use);
  if (!r) {
    bool use_conflict = !use.empty() && r.error().message.find("already used") != std::string::npos;
    s.fail(c.tag, r.error(), use_conflict ? "USEATTR" : mailbox_error_code(r.error()));
    co_return;
  }
  // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK.
  auto created = co_await find_mailbox(s, *name);
  if (created && *created) {
    s.ok(c.tag, "CREATE completed", "MAILBOXID",
         "(" + mailbox_object_id(s.account(), (*created)->id, (*created)->uidvalidity) + ")");
  } else {
    s.ok(c.tag, "CREATE completed");
  }
}

// RFC 9051 §6.3.5
Task<void> cmd_delete(SessionContext& s, Command& c) {
  auto name = single_mailbox(s, c, "NONEXISTENT");
  if (!name) co_return;
  if (*name == "INBOX") {
    s.no(c.tag, "INBOX cannot be deleted", "CANNOT");
    co_return;
  }
  if (s.selected && s.selected->name == *name) {
    // Keeping a view of a mailbox that no longer exists would make every
    // later command answer for ghosts.
    s.no(c.tag, "Cannot delete the selected mailbox", "INUSE");
    co_return;
  }
  status_reply(s, c.tag, co_await s.access.delete_mailbox(s.account(), *name), "DELETE completed");
}

// RFC 9051 §6.3.6
Task<void> cmd_rename(SessionContext& s, Command& c) {
  auto wire = parse_rename(c.args);
  if (!wire) {
    s.fail(c.tag, wire.error());
    co_return;
  }
  auto from = store_name(s, wire->first);
  auto to = store_name(s, wire->second);
  if (!from) {
    s.fail(c.tag, from.error(), "NONEXISTENT");
    co_return;
  }
  if (!to) {
    s.fail(c.tag, to.error(), "CANNOT");
    co_return;
  }
  if (*to == "INBOX") {
    s.no(c.tag, "INBOX already exists", "ALREADYEXISTS");
    co_return;
  }
  status_reply(s, c.tag, co_await s.access.rename_mailbox(s.account(), *from, *to), "RENAME completed");
}

// RFC 9051 §6.3.7, §6.3.8
Task<void> cmd_subscribe(SessionContext& s, Command& c) {
  bool subscribe = c.name == "SUBSCRIBE";
  auto name = single_mailbox(s, c, "NONEXISTENT");
  if (!name) co_return;
  status_reply(s, c.tag, co_await s.access.set_subscribed(s.account(), *name, subscribe),
               subscribe ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

}  // namespace postern::imap
