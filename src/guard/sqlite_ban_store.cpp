// The bans table; see sqlite_ban_store.hpp.
#include "guard/sqlite_ban_store.hpp"

#include "store/sqlite/schema.hpp"

namespace postern::guard {

using store::sqlite::Db;
using store::sqlite::Statement;

Result<std::unique_ptr<SqliteBanStore>> SqliteBanStore::open(const std::string& data_dir) {
  auto db = Db::open(data_dir + "/postern.db");
  if (!db) return db.error();
  if (auto s = store::sqlite::migrate(*db); !s) return s.error();
  return std::unique_ptr<SqliteBanStore>(new SqliteBanStore(std::move(*db)));
}

Result<std::vector<Ban>> SqliteBanStore::load() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT source, created, until, strikes, reason FROM bans ORDER BY until DESC");
  if (!st) return st.error();
  std::vector<Ban> out;
  auto s = st->each_row([&](Statement& row) {
    out.push_back(Ban{row.text(0), row.int64(1), row.int64(2), static_cast<unsigned>(row.int64(3)), row.text(4)});
  });
  if (!s) return s.error();
  return out;
}

Status SqliteBanStore::save(const Ban& ban) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("INSERT OR REPLACE INTO bans (source, created, until, strikes, reason) VALUES (?, ?, ?, ?, ?)");
  if (!st) return st.error();
  st->bind(1, ban.source).bind(2, ban.created).bind(3, ban.until).bind(4, static_cast<int64_t>(ban.strikes));
  st->bind(5, ban.reason);
  return st->run();
}

Status SqliteBanStore::remove(std::string_view source) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM bans WHERE source = ?");
  if (!st) return st.error();
  st->bind(1, source);
  return st->run();
}

}  // namespace postern::guard
