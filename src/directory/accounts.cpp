// User accounts: creation (with their default mailboxes), password changes,
// removal (with their mail), listing, lookup and login.
#include "directory/directory.hpp"
#include "core/log.hpp"
#include "directory/internal.hpp"
#include "directory/legacy_password.hpp"
#include "store/account_setup.hpp"
#include "sasl/scram.hpp"
#include "store/sqlite/mail_read.hpp"

namespace postern::directory {
namespace {

constexpr size_t kMaxPasswordBytes = 1024;

Status check_password(std::string_view password) {
  if (password.empty()) return user_error("empty password");
  // Argon2 accepts anything, but a megabyte "password" is a mistake (or an
  // attack on the hashing time); the CLI enforces the same limit.
  if (password.size() > kMaxPasswordBytes) return user_error("password longer than 1024 bytes");
  return Ok{};
}

// Everything that makes `canonical` unusable as a new account; returns the
// id of its domain.
Result<int64_t> check_new_account(store::sqlite::Db& db, const EmailAddress& parsed, const std::string& canonical) {
  auto domain_id = detail::find_domain_id(db, parsed.domain);
  if (!domain_id) return domain_id.error();
  if (!*domain_id) return detail::unknown_domain_error(parsed.domain);
  auto existing = detail::find_account_id(db, canonical);
  if (!existing) return existing.error();
  if (*existing) return user_error("user " + canonical + " already exists");
  auto is_alias = detail::alias_source_exists(db, canonical);
  if (!is_alias) return is_alias.error();
  if (*is_alias)
    return user_error(canonical + " is already an alias; an account with the same address would never "
                      "receive mail (remove the alias first: postern alias remove " + canonical + ")");
  return **domain_id;
}

}  // namespace

Status Directory::check_new_user(std::string_view address) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  auto domain_id = check_new_account(db_, *parsed, detail::canonical(*parsed));
  if (!domain_id) return domain_id.error();
  return Ok{};
}

Result<int64_t> Directory::add_user(std::string_view address, std::string_view password) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  if (auto s = check_password(password); !s) return s.error();
  const std::string canonical = detail::canonical(*parsed);
  // Check, then hash outside the write lock (it takes ~0.2 s and needs no
  // lock), then check again under the lock in case someone was faster.
  if (auto early = check_new_account(db_, *parsed, canonical); !early) return early.error();
  auto hash = hash_password(password);
  if (!hash) return hash.error();

  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto domain_id = check_new_account(db_, *parsed, canonical);
  if (!domain_id) return domain_id.error();
  auto ins = db_.prepare(
      "INSERT INTO accounts (domain_id, address, password_hash, scram_sha256, created_at) VALUES (?, ?, ?, ?, ?)");
  if (!ins) return ins.error();
  ins->bind(1, *domain_id).bind(2, canonical).bind(3, *hash).bind(4, sasl::make_scram_credentials(password).encode())
      .bind(5, detail::now_seconds());
  if (auto s = ins->run(); !s) return s.error();
  const int64_t id = db_.last_insert_rowid();
  if (auto s = store::create_default_mailboxes(db_, id); !s) return s.error();
  if (auto s = tx.commit(); !s) return s.error();
  return id;
}

Status Directory::set_password(std::string_view address, std::string_view password) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  if (auto s = check_password(password); !s) return s;
  const std::string canonical = detail::canonical(*parsed);
  auto hash = hash_password(password);
  if (!hash) return hash.error();

  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto upd = db_.prepare("UPDATE accounts SET password_hash = ?, scram_sha256 = ? WHERE address = ?");
  if (!upd) return upd.error();
  upd->bind(1, *hash).bind(2, sasl::make_scram_credentials(password).encode()).bind(3, canonical);
  if (auto s = upd->run(); !s) return s;
  if (db_.changes() == 0) return detail::unknown_user_error(canonical);
  return tx.commit();
}

Status Directory::set_quota(std::string_view address, uint64_t bytes) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  const std::string canonical = detail::canonical(*parsed);
  auto upd = db_.prepare("UPDATE accounts SET quota_bytes = ? WHERE address = ?");
  if (!upd) return upd.error();
  upd->bind(1, static_cast<int64_t>(bytes)).bind(2, canonical);
  if (auto s = upd->run(); !s) return s;
  if (db_.changes() == 0) return detail::unknown_user_error(canonical);
  return Ok{};
}

Result<std::optional<ScramAccount>> Directory::scram_credentials(std::string_view address) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return std::optional<ScramAccount>();
  const std::string canonical = detail::canonical(*parsed);
  auto st = db_.prepare("SELECT id, scram_sha256 FROM accounts WHERE address = ?");
  if (!st) return st.error();
  st->bind(1, canonical);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row || st->is_null(1)) return std::optional<ScramAccount>();
  auto creds = sasl::ScramCredentials::decode(st->text(1));
  if (!creds) return std::optional<ScramAccount>();
  return std::optional<ScramAccount>(ScramAccount{AccountInfo{st->int64(0), canonical}, std::move(*creds)});
}

Result<bool> Directory::over_quota(int64_t account_id) {
  auto usage = store::sqlite::quota_usage(db_, account_id);
  if (!usage) return usage.error();
  return usage->limit_bytes > 0 && usage->used_bytes >= usage->limit_bytes;
}

Status Directory::remove_user(std::string_view address) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  const std::string canonical = detail::canonical(*parsed);

  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto id = detail::find_account_id(db_, canonical);
  if (!id) return id.error();
  if (!*id) return detail::unknown_user_error(canonical);
  if (auto s = store::release_account_mail(db_, **id); !s) return s;
  // Send-as grants go with the account (ON DELETE CASCADE).
  auto del = db_.prepare("DELETE FROM accounts WHERE id = ?");
  if (!del) return del.error();
  del->bind(1, **id);
  if (auto s = del->run(); !s) return s;
  return tx.commit();
}

Result<std::vector<AccountInfo>> Directory::list_users(std::optional<std::string_view> domain) {
  auto filter = detail::domain_filter(db_, domain);
  if (!filter) return filter.error();
  std::optional<int64_t> domain_id = *filter;
  auto st = db_.prepare(domain_id ? "SELECT id, address FROM accounts WHERE domain_id = ? ORDER BY address"
                                  : "SELECT id, address FROM accounts ORDER BY address");
  if (!st) return st.error();
  if (domain_id) st->bind(1, *domain_id);
  std::vector<AccountInfo> out;
  auto s = st->each_row([&](const auto& r) {
    out.push_back({r.int64(0), r.text(1)});
  });
  if (!s) return s.error();
  return out;
}

Result<std::optional<AccountInfo>> Directory::find_user(std::string_view address) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  const std::string canonical = detail::canonical(*parsed);
  auto id = detail::find_account_id(db_, canonical);
  if (!id) return id.error();
  if (!*id) return std::optional<AccountInfo>();
  return std::optional<AccountInfo>(AccountInfo{**id, canonical});
}

Result<std::optional<AccountInfo>> Directory::authenticate(std::string_view address, std::string_view password) {
  // Every path that fails spends one Argon2 verification, so the response
  // time does not reveal whether the address is an account.
  auto reject = [&]() -> Result<std::optional<AccountInfo>> {
    (void)verify_password(password, detail::dummy_password_hash());
    return std::optional<AccountInfo>();
  };
  auto parsed = detail::parse_address(address);
  if (!parsed) return reject();
  const std::string canonical = detail::canonical(*parsed);
  auto st = db_.prepare("SELECT id, password_hash FROM accounts WHERE address = ?");
  if (!st) return st.error();
  st->bind(1, canonical);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return reject();
  const int64_t id = st->int64(0);
  const std::string stored = st->text(1);
  st->reset();
  if (!verify_password(password, stored)) return std::optional<AccountInfo>();
  upgrade_password(id, stored, password);
  return std::optional<AccountInfo>(AccountInfo{id, canonical});
}

void Directory::upgrade_password(int64_t id, const std::string& stored, std::string_view password) {
  auto scram = db_.prepare("SELECT scram_sha256 IS NULL FROM accounts WHERE id = ?");
  if (!scram) return;
  scram->bind(1, id);
  auto row = scram->step();
  const bool no_scram = row && *row && scram->int64(0) != 0;
  scram->reset();
  if (stored.starts_with("$argon2id$") && !no_scram) return;
  auto hash = stored.starts_with("$argon2id$") ? Result<std::string>(stored) : hash_password(password);
  if (!hash) {
    log::warn("password_upgrade_failed", {{"account", id}, {"error", hash.error().message}});
    return;
  }
  // Only if nobody changed the password meanwhile (user passwd, another login).
  auto upd = db_.prepare("UPDATE accounts SET password_hash = ?, scram_sha256 = ? WHERE id = ? AND password_hash = ?");
  if (!upd) return;
  upd->bind(1, *hash).bind(2, sasl::make_scram_credentials(password).encode()).bind(3, id).bind(4, stored);
  if (auto s = upd->run(); !s) {
    log::warn("password_upgrade_failed", {{"account", id}, {"error", s.error().message}});
    return;
  }
  if (db_.changes() > 0)
    log::info("password_upgraded", {{"account", id}, {"from", stored_hash_scheme(stored)}, {"to", "ARGON2ID"}});
}

Result<int64_t> Directory::add_user_with_hash(std::string_view address, std::string_view hash) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  auto stored = normalize_imported_hash(hash);
  if (!stored) return stored.error();
  const std::string canonical = detail::canonical(*parsed);
  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto domain_id = check_new_account(db_, *parsed, canonical);
  if (!domain_id) return domain_id.error();
  // No SCRAM keys: they need the password, which the first login supplies.
  auto ins = db_.prepare("INSERT INTO accounts (domain_id, address, password_hash, created_at) VALUES (?, ?, ?, ?)");
  if (!ins) return ins.error();
  ins->bind(1, *domain_id).bind(2, canonical).bind(3, *stored).bind(4, detail::now_seconds());
  if (auto s = ins->run(); !s) return s.error();
  const int64_t id = db_.last_insert_rowid();
  if (auto s = store::create_default_mailboxes(db_, id); !s) return s.error();
  if (auto s = tx.commit(); !s) return s.error();
  return id;
}

Result<std::string> Directory::password_scheme(std::string_view address) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  const std::string canonical = detail::canonical(*parsed);
  auto st = db_.prepare("SELECT password_hash FROM accounts WHERE address = ?");
  if (!st) return st.error();
  st->bind(1, canonical);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return detail::unknown_user_error(canonical);
  return stored_hash_scheme(st->text(0));
}

}  // namespace postern::directory
