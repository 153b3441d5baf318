// Bans in the `bans` table of postern.db (schema migration 7), shared by the
// server (which bans) and `postern ban` (which lists, adds and removes).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "guard/guard.hpp"
#include "store/sqlite/db.hpp"

namespace postern::guard {

class SqliteBanStore : public BanStore {
 public:
  // Opens (and migrates) <data_dir>/postern.db.
  static Result<std::unique_ptr<SqliteBanStore>> open(const std::string& data_dir);

  Result<std::vector<Ban>> load() override;
  Status save(const Ban& ban) override;
  Status remove(std::string_view source) override;

 private:
  explicit SqliteBanStore(store::sqlite::Db db) : db_(std::move(db)) {}
  std::mutex mu_;
  store::sqlite::Db db_;
};

}  // namespace postern::guard
