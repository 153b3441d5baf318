// Mailbox management ops: create (with superiors), delete, rename (with
// children; INBOX special case), subscribe.
#include "store/sqlite/mailbox_write.hpp"

#include <chrono>

#include "core/strings.hpp"

namespace postern::store::sqlite {
namespace {

constexpr size_t kMaxMailboxName = 1000;
constexpr size_t kMaxMailboxDepth = 32;

bool is_inbox(const std::string& name) { return iequals(name, "INBOX"); }

// INBOX is case-insensitive (RFC 9051 §5.1); other names are exact.
std::string stored_name(const std::string& name) { return is_inbox(name) ? "INBOX" : name; }

Result<std::optional<int64_t>> lookup(Db& db, int64_t account_id, const std::string& name) {
  auto st = db.prepare("SELECT id FROM mailboxes WHERE account_id = ? AND name = ?");
  if (!st) return st.error();
  st->bind(1, account_id).bind(2, stored_name(name));
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(st->int64(0));
}

Result<int64_t> next_uidvalidity(Db& db, int64_t account_id) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Strictly increasing per account, so a re-created name never reuses one.
  auto st = db.prepare("UPDATE accounts SET last_uidvalidity = max(?, last_uidvalidity + 1) WHERE id = ? "
                       "RETURNING last_uidvalidity");
  if (!st) return st.error();
  st->bind(1, static_cast<int64_t>(now & 0x7fffffff)).bind(2, account_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("unknown account " + std::to_string(account_id));
  int64_t v = st->int64(0);
  st->reset();
  return v;
}

Result<int64_t> insert_mailbox(Db& db, int64_t account_id, const std::string& name, const std::string& special_use) {
  auto uv = next_uidvalidity(db, account_id);
  if (!uv) return uv.error();
  auto st = db.prepare("INSERT INTO mailboxes (account_id, name, special_use, subscribed, uidvalidity) VALUES (?, ?, ?, 1, ?)");
  if (!st) return st.error();
  st->bind(1, account_id).bind(2, name);
  if (special_use.empty()) st->bind(3, std::nullopt);
  else st->bind(3, special_use);
  st->bind(4, *uv);
  if (auto s = st->run(); !s) return s.error();
  return db.last_insert_rowid();
}

// Creates every missing superior of `name` ("a/b/c" → "a", "a/b").
Status create_superiors(Db& db, int64_t account_id, const std::string& name) {
  for (size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
    std::string parent = name.substr(0, pos);
    auto id = lookup(db, account_id, parent);
    if (!id) return id.error();
    if (!*id) {
      auto made = insert_mailbox(db, account_id, parent, "");
      if (!made) return made.error();
    }
  }
  return Ok{};
}

Status record_change(WriteContext& ctx, int64_t account_id) {
  auto m = bump_account_modseq(ctx.db, account_id);
  if (!m) return m.error();
  ctx.changed.emplace_back(account_id, *m);
  return Ok{};
}

}  // namespace

Result<int64_t> bump_account_modseq(Db& db, int64_t account_id) {
  auto st = db.prepare("UPDATE accounts SET modseq = modseq + 1 WHERE id = ? RETURNING modseq");
  if (!st) return st.error();
  st->bind(1, account_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("unknown account " + std::to_string(account_id));
  int64_t v = st->int64(0);
  st->reset();
  return v;
}

Result<int64_t> find_mailbox_id(Db& db, int64_t account_id, const std::string& name) {
  auto id = lookup(db, account_id, name);
  if (!id) return id.error();
  if (!*id) return user_error("no such mailbox: " + name);
  return **id;
}

Status validate_mailbox_name(const std::string& name) {
  if (name.empty()) return syntax_error("empty mailbox name");
  if (name.size() > kMaxMailboxName) return syntax_error("mailbox name longer than 1000 octets");
  if (!is_valid_utf8(name)) return syntax_error("mailbox name is not valid UTF-8");
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string::npos)
    return syntax_error("mailbox name has an empty hierarchy level");
  size_t levels = 1;
  for (unsigned char c : name) {
    if (c == '/') ++levels;
    if (c < 0x20 || c == 0x7f) return syntax_error("mailbox name contains a control character");
  }
  if (levels > kMaxMailboxDepth) return syntax_error("mailbox name nested deeper than 32 levels");
  return Ok{};
}

Result<int64_t> create_mailbox(WriteContext& ctx, int64_t account_id, const std::string& name,
                               const std::string& special_use) {
  if (auto s = validate_mailbox_name(name); !s) return s.error();
  auto existing = lookup(ctx.db, account_id, name);
  if (!existing) return existing.error();
  if (*existing) return user_error("mailbox already exists: " + name);
  if (!special_use.empty()) {
    auto st = ctx.db.prepare("SELECT name FROM mailboxes WHERE account_id = ? AND special_use = ?");
    if (!st) return st.error();
    st->bind(1, account_id).bind(2, special_use);
    auto row = st->step();
    if (!row) return row.error();
    if (*row) return user_error(special_use + " is already used by mailbox " + st->text(0));
  }
  if (auto s = create_superiors(ctx.db, account_id, name); !s) return s.error();
  auto id = insert_mailbox(ctx.db, account_id, name, special_use);
  if (!id) return id.error();
  if (auto s = record_change(ctx, account_id); !s) return s.error();
  return *id;
}

Status delete_mailbox(WriteContext& ctx, int64_t account_id, const std::string& name) {
  if (is_inbox(name)) return user_error("INBOX cannot be deleted");
  auto id = find_mailbox_id(ctx.db, account_id, name);
  if (!id) return id.error();
  // Remove every message first so references and blobs are released.
  auto rows = ctx.db.prepare("SELECT uid FROM mailbox_messages WHERE mailbox_id = ?");
  if (!rows) return rows.error();
  rows->bind(1, *id);
  std::vector<uint32_t> uids;
  if (auto s = rows->each_row([&](const auto& r) { uids.push_back(static_cast<uint32_t>(r.int64(0))); }); !s) return s;
  if (!uids.empty()) {
    auto modseq = bump_account_modseq(ctx.db, account_id);
    if (!modseq) return modseq.error();
    if (auto s = remove_rows(ctx, *id, uids, *modseq); !s) return s;
  }
  auto del = ctx.db.prepare("DELETE FROM mailboxes WHERE id = ?");
  if (!del) return del.error();
  del->bind(1, *id);
  if (auto s = del->run(); !s) return s;
  return record_change(ctx, account_id);
}

Status rename_mailbox(WriteContext& ctx, int64_t account_id, const std::string& from, const std::string& to) {
  if (auto s = validate_mailbox_name(to); !s) return s;
  if (is_inbox(to)) return user_error("mailbox already exists: INBOX");
  auto src = find_mailbox_id(ctx.db, account_id, from);
  if (!src) return src.error();
  auto dst = lookup(ctx.db, account_id, to);
  if (!dst) return dst.error();
  if (*dst) return user_error("mailbox already exists: " + to);
  if (to.size() > from.size() && to.compare(0, from.size() + 1, from + "/") == 0)
    return user_error("cannot rename a mailbox into its own child");
  if (auto s = create_superiors(ctx.db, account_id, to); !s) return s;
  if (is_inbox(from)) {
    // RFC 9051 §6.3.6: renaming INBOX moves all its messages to a new
    // mailbox and leaves INBOX empty; INBOX's children are not renamed.
    auto made = insert_mailbox(ctx.db, account_id, to, "");
    if (!made) return made.error();
    auto uids = ctx.db.prepare("SELECT uid FROM mailbox_messages WHERE mailbox_id = ? ORDER BY uid");
    if (!uids) return uids.error();
    uids->bind(1, *src);
    std::vector<uint32_t> all;
    if (auto s = uids->each_row([&](const auto& r) { all.push_back(static_cast<uint32_t>(r.int64(0))); }); !s) return s;
    if (!all.empty()) {
      auto moved = copy_messages(ctx, account_id, *src, all, *made, true);
      if (!moved) return moved.error();
    }
    return record_change(ctx, account_id);
  }
  auto st = ctx.db.prepare(
      "UPDATE mailboxes SET name = ?3 || substr(name, length(?2) + 1) "
      "WHERE account_id = ?1 AND (name = ?2 OR substr(name, 1, length(?2) + 1) = ?2 || '/')");
  if (!st) return st.error();
  st->bind(1, account_id).bind(2, from).bind(3, to);
  if (auto s = st->run(); !s) return s;
  return record_change(ctx, account_id);
}

Status set_subscribed(WriteContext& ctx, int64_t account_id, const std::string& name, bool subscribed) {
  auto id = find_mailbox_id(ctx.db, account_id, name);
  if (!id) return id.error();
  auto st = ctx.db.prepare("UPDATE mailboxes SET subscribed = ? WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, static_cast<int64_t>(subscribed)).bind(2, *id);
  if (auto s = st->run(); !s) return s;
  return record_change(ctx, account_id);
}

}  // namespace postern::store::sqlite
