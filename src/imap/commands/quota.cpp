// QUOTA (RFC 9208): GETQUOTAROOT, GETQUOTA and SETQUOTA over the one
// per-account quota root "", resource STORAGE in units of 1024 octets.
// Limits are the administrator's (`postern user quota`): SETQUOTA is NO.
// An account without a limit has no quota root (RFC 9208 §4.3.2).
#include "imap/commands/command_table.hpp"
#include "imap/proto/mutf7.hpp"

namespace postern::imap {

namespace {

constexpr std::string_view kRoot = "";

uint64_t kibibytes_up(int64_t bytes) { return static_cast<uint64_t>((bytes + 1023) / 1024); }

void write_quota(SessionContext& s, const store::QuotaUsage& q) {
  s.untagged()
      .atom("QUOTA")
      .string(kRoot)
      .open()
      .atom("STORAGE")
      .number(kibibytes_up(q.used_bytes))
      .number(kibibytes_up(q.limit_bytes))
      .close()
      .end();
}

}  // namespace

Task<void> cmd_getquotaroot(SessionContext& s, Command& c) {
  std::optional<std::string_view> wire;
  if (c.args.size() == 1) wire = as_astring(c.args[0]);
  if (!wire) {
    s.bad(c.tag, "GETQUOTAROOT needs one mailbox name");
    co_return;
  }
  auto box = co_await require_mailbox(s, c.tag, std::string(*wire), "NONEXISTENT");
  if (!box) co_return;
  auto q = co_await s.access.quota(s.account());
  if (!q) {
    s.fail(c.tag, q.error());
    co_return;
  }
  auto r = s.untagged();
  r.atom("QUOTAROOT").astring(mailbox_to_wire(box->name, s.utf8()));
  if (q->limit_bytes > 0) r.string(kRoot);
  r.end();
  if (q->limit_bytes > 0) write_quota(s, *q);
  s.ok(c.tag, "GETQUOTAROOT completed");
}

Task<void> cmd_getquota(SessionContext& s, Command& c) {
  std::optional<std::string_view> root;
  if (c.args.size() == 1) root = as_astring(c.args[0]);
  if (!root) {
    s.bad(c.tag, "GETQUOTA needs one quota root");
    co_return;
  }
  auto q = co_await s.access.quota(s.account());
  if (!q) {
    s.fail(c.tag, q.error());
    co_return;
  }
  if (*root != kRoot || q->limit_bytes == 0) {
    s.no(c.tag, "No such quota root", "NONEXISTENT");
    co_return;
  }
  write_quota(s, *q);
  s.ok(c.tag, "GETQUOTA completed");
}

Task<void> cmd_setquota(SessionContext& s, Command& c) {
  if (c.args.size() != 2 || !as_astring(c.args[0]) || c.args[1].kind != NodeKind::list) {
    s.bad(c.tag, "SETQUOTA needs a quota root and a list of limits");
    co_return;
  }
  // RFC 9208 §4.1.3: NO when the user may not change the limit.
  s.no(c.tag, "Quotas are set by the administrator (postern user quota)", "NOPERM");
  co_return;
}

Task<Status> check_quota(SessionContext& s, int64_t more_bytes) {
  auto q = co_await s.access.quota(s.account());
  if (!q) co_return q.error();
  if (q->exceeded_by(more_bytes))
    co_return user_error("Quota exceeded: " + std::to_string(kibibytes_up(q->used_bytes)) + " of " +
                         std::to_string(kibibytes_up(q->limit_bytes)) + " KiB used");
  co_return Ok{};
}

}  // namespace postern::imap
