// LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9; LIST-EXTENDED selection
// and return options RFC 5258; SPECIAL-USE attributes RFC 6154; RETURN
// (STATUS) RFC 5819) and
// NAMESPACE (RFC 2342). One personal namespace, "" with delimiter "/".
#include <map>
#include <set>

#include "core/strings.hpp"
#include "imap/commands/command_table.hpp"
#include "imap/proto/list_args.hpp"
#include "imap/proto/mutf7.hpp"

namespace postern::imap {

namespace {

// RFC 9051 §6.3.9: "*" matches anything, "%" anything but the delimiter.
bool wildcard_match(std::string_view pat, std::string_view name) {
  if (pat.empty()) return name.empty();
  if (pat[0] == '*') {
    for (size_t i = 0; i <= name.size(); ++i)
      if (wildcard_match(pat.substr(1), name.substr(i))) return true;
    return false;
  }
  if (pat[0] == '%') {
    for (size_t i = 0; i <= name.size(); ++i) {
      if (wildcard_match(pat.substr(1), name.substr(i))) return true;
      if (i < name.size() && name[i] == '/') return false;
    }
    return false;
  }
  return !name.empty() && pat[0] == name[0] && wildcard_match(pat.substr(1), name.substr(1));
}

// INBOX is case-insensitive (RFC 9051 §5.1): match it against a pattern
// whose INBOX prefix is upper-cased.
bool mailbox_matches(std::string_view pattern, const std::string& name) {
  std::string p(pattern);
  if (p.size() >= 5 && iequals(std::string_view(p).substr(0, 5), "INBOX") && (p.size() == 5 || p[5] == '/'))
    p.replace(0, 5, "INBOX");
  return wildcard_match(p, name);
}

struct Entry {
  const store::MailboxInfo* info = nullptr;  // null for a parent level that is not a mailbox
  bool exists = false;
  bool subscribed = false;
  bool has_children = false;
  std::string special_use;
};

}  // namespace

Task<void> cmd_list(SessionContext& s, Command& c) {
  bool lsub = c.name == "LSUB";
  auto args = lsub ? parse_lsub(c.args) : parse_list(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  auto reference = mailbox_from_wire(args->reference, s.utf8());
  if (!reference) {
    s.fail(c.tag, reference.error());
    co_return;
  }
  std::vector<std::string> patterns;
  for (const auto& p : args->patterns) {
    // Wildcards survive decoding: they are printable ASCII.
    auto d = mailbox_from_wire(p, s.utf8());
    if (!d) {
      s.fail(c.tag, d.error());
      co_return;
    }
    patterns.push_back(*d);
  }
  std::string_view kind = lsub ? "LSUB" : "LIST";

  // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and root.
  bool only_delimiter = patterns.size() == 1 && patterns[0].empty();
  if (only_delimiter) {
    s.untagged().atom(kind).open().atom("\\Noselect").close().string("/").string("").end();
    s.ok(c.tag, std::string(kind) + " completed");
    co_return;
  }

  auto boxes = co_await s.access.list_mailboxes(s.account());
  if (!boxes) {
    s.fail(c.tag, boxes.error());
    co_return;
  }
  // Every mailbox and every parent level of one (a parent that is not a
  // mailbox itself is listed as \NonExistent / \Noselect when it matches).
  std::map<std::string, Entry> all;
  for (const auto& b : *boxes) {
    auto& e = all[b.name];
    e.info = &b;
    e.exists = true;
    e.subscribed = b.subscribed;
    e.special_use = b.special_use;
    for (size_t slash = b.name.find('/'); slash != std::string::npos; slash = b.name.find('/', slash + 1))
      all[b.name.substr(0, slash)].has_children = true;
  }

  bool want_subscribed_only = lsub || (args->selection & kSelectSubscribed);
  bool return_subscribed = !lsub && (args->returns & kReturnSubscribed || args->selection & kSelectSubscribed);
  bool special_only = args->selection & kSelectSpecialUse;
  for (const auto& kv : all) {
    const std::string& name = kv.first;
    const Entry& e = kv.second;
    bool match = false;
    for (const auto& p : patterns) {
      std::string full = reference->empty() ? p : *reference + p;
      match |= mailbox_matches(full, name);
    }
    if (!match) continue;
    if (want_subscribed_only && !e.subscribed) continue;
    if (special_only && (e.special_use.empty() || e.special_use == "\\Inbox")) continue;
    auto r = s.untagged();
    r.atom(kind).open();
    if (!e.exists) r.atom(s.rev2 ? "\\NonExistent" : "\\Noselect");
    if (!lsub) r.atom(e.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (return_subscribed && e.subscribed) r.atom("\\Subscribed");
    // RFC 6154: \Inbox is not a LIST attribute.
    if (!lsub && !e.special_use.empty() && e.special_use != "\\Inbox") r.atom(e.special_use);
    r.close().string("/").astring(mailbox_to_wire(name, s.utf8())).end();
    // RFC 5819 §2: STATUS right after the LIST of each selectable mailbox;
    // a failure for one mailbox is not an error for the whole LIST.
    if ((args->returns & kReturnStatus) && e.info) {
      auto written = co_await write_status(s, *e.info, args->status_items);
      if (!written) continue;
    }
  }
  s.ok(c.tag, std::string(kind) + " completed");
}

// RFC 2342 §5: personal namespace "" with "/", no other users' or shared ones.
Task<void> cmd_namespace(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "NAMESPACE takes no arguments");
    co_return;
  }
  s.untagged().atom("NAMESPACE").open().open().string("").string("/").close().close().nil().nil().end();
  s.ok(c.tag, "NAMESPACE completed");
}

}  // namespace postern::imap
