// SQLite connection and statement wrappers; error codes mapped to ErrorKind.
#include "store/sqlite/db.hpp"

#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

namespace postern::store::sqlite {

// Idle prepared statements of one connection, by SQL text. Used by the one
// thread that owns the connection; shared with its Statements so that one
// ending after the connection closed finalizes instead of coming back.
class StatementPool {
 public:
  sqlite3_stmt* take(std::string_view sql) {
    auto it = idle_.find(sql);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    sqlite3_stmt* s = it->second.back();
    it->second.pop_back();
    --count_;
    return s;
  }
  void give_back(sqlite3_stmt* s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    const char* sql = sqlite3_sql(s);
    if (closed_ || !sql || count_ >= kMaxIdle) {
      sqlite3_finalize(s);
      return;
    }
    auto& list = idle_[std::string(sql)];
    if (list.size() >= kMaxPerText) {
      sqlite3_finalize(s);
      return;
    }
    list.push_back(s);
    ++count_;
  }
  size_t idle() const { return count_; }
  // Finalizes everything idle; later returns are finalized at once.
  void close() {
    for (auto& [sql, list] : idle_)
      for (auto* s : list) sqlite3_finalize(s);
    idle_.clear();
    count_ = 0;
    closed_ = true;
  }

 private:
  // Bounds for SQL built per call (IN lists): the pool never grows past them.
  static constexpr size_t kMaxIdle = 256, kMaxPerText = 4;
  std::map<std::string, std::vector<sqlite3_stmt*>, std::less<>> idle_;
  size_t count_ = 0;
  bool closed_ = false;
};

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no database");
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
      return temporary_error(msg);
    case SQLITE_CONSTRAINT:
      return user_error(msg);
    default:
      return internal_error(msg);
  }
}

Statement::Statement(Statement&& o) noexcept : stmt_(o.stmt_), db_(o.db_), pool_(std::move(o.pool_)) {
  o.stmt_ = nullptr;
}
Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    release();
    stmt_ = o.stmt_;
    db_ = o.db_;
    pool_ = std::move(o.pool_);
    o.stmt_ = nullptr;
  }
  return *this;
}
Statement::~Statement() { release(); }

void Statement::release() {
  if (!stmt_) return;
  if (pool_) {
    pool_->give_back(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::bind(int index, std::nullopt_t) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, "sqlite step");
}

Status Statement::run() {
  auto r = step();
  if (!r) return r.error();
  reset();
  return Ok{};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}
bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Db::Db(sqlite3* db) : db_(db), pool_(std::make_shared<StatementPool>()) {}
Db::Db(Db&& o) noexcept : db_(o.db_), pool_(std::move(o.pool_)) { o.db_ = nullptr; }
Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    close();
    db_ = o.db_;
    pool_ = std::move(o.pool_);
    o.db_ = nullptr;
  }
  return *this;
}
Db::~Db() { close(); }

void Db::close() {
  if (pool_) pool_->close();
  // close_v2: statements still held elsewhere keep the connection until
  // they are finalized.
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<Db> Db::open(const std::string& path, Durability durability) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(raw, "open " + path);
    sqlite3_close_v2(raw);
    return e;
  }
  Db db(raw);
  sqlite3_busy_timeout(raw, 10000);
  if (auto s = db.exec("PRAGMA journal_mode=WAL"); !s) return s.error();
  if (auto s = db.exec(durability == Durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !s)
    return s.error();
  if (auto s = db.exec("PRAGMA foreign_keys=ON"); !s) return s.error();
  return db;
}

Status Db::exec(std::string_view sql) {
  std::string copy(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db_, err ? err : "exec");
    sqlite3_free(err);
    return e;
  }
  return Ok{};
}

Result<Statement> Db::prepare(std::string_view sql) {
  if (sqlite3_stmt* kept = pool_ ? pool_->take(sql) : nullptr) return Statement(kept, db_, pool_);
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, "prepare");
  return Statement(s, db_, pool_);
}

size_t Db::idle_statements() const { return pool_ ? pool_->idle() : 0; }

int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Db::changes() const { return sqlite3_changes(db_); }

Status Db::begin_write() { return exec("BEGIN IMMEDIATE"); }
Status Db::commit() { return exec("COMMIT"); }
void Db::rollback() { (void)exec("ROLLBACK"); }

}  // namespace postern::store::sqlite
