// A thin RAII wrapper over one SQLite connection: prepared statements,
// transactions and error mapping to Result. One Db per thread; SQLite in WAL
// mode lets readers proceed while the committer writes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace postern::store::sqlite {

class StatementPool;

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* s, sqlite3* db, std::shared_ptr<StatementPool> pool = nullptr)
      : stmt_(s), db_(db), pool_(std::move(pool)) {}
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based like SQLite's. Strings and blobs are copied.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::nullopt_t);
  Statement& bind_blob(int index, std::string_view bytes);

  // Advances: true when a row is available, false when done. Errors are
  // returned as Error (SQLITE_BUSY/LOCKED/FULL/IOERR as temporary).
  Result<bool> step();
  // Runs to completion (for statements that return no rows).
  Status run();
  void reset();

  // Steps through every remaining row, calling row(*this) for each.
  template <class RowFn>
  Status each_row(RowFn&& row) {
    for (;;) {
      auto more = step();
      if (!more) return more.error();
      if (!*more) return Ok{};
      row(*this);
    }
  }

  int64_t int64(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;
  // The SQLite statement, for sqlite3_stmt_status() and the like.
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  void release();

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  std::shared_ptr<StatementPool> pool_;  // where it goes back when done
};

class Db {
 public:
  enum class Durability { full, normal };
  Db() = default;
  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Opens (creating if needed) with WAL, foreign keys, a busy timeout and
  // synchronous=FULL (the durability contract) unless told otherwise.
  static Result<Db> open(const std::string& path, Durability durability = Durability::full);

  // Statements are kept when their Statement ends (reset, bindings
  // cleared) and handed out again for the same SQL text: preparing (parse
  // and plan) often cost more than running the short queries a mail
  // server repeats, e.g. 17 % of the CPU of the 50-client IMAP workload.

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // Prepared statements kept for reuse (for tests and diagnostics).
  size_t idle_statements() const;
  int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }

  // BEGIN IMMEDIATE: takes the write lock up front so a transaction never
  // fails half-way with SQLITE_BUSY on upgrade.
  Status begin_write();
  Status commit();
  void rollback();

 private:
  explicit Db(sqlite3* db);
  void close();
  sqlite3* db_ = nullptr;
  std::shared_ptr<StatementPool> pool_;
};

// Commits on commit(); rolls back on destruction otherwise.
class WriteTransaction {
 public:
  explicit WriteTransaction(Db& db) : db_(db) {}
  Status begin() {
    auto s = db_.begin_write();
    active_ = s.ok();
    return s;
  }
  Status commit() {
    active_ = false;
    return db_.commit();
  }
  ~WriteTransaction() {
    if (active_) db_.rollback();
  }

 private:
  Db& db_;
  bool active_ = false;
};

// A deferred read transaction: every statement inside it sees the same
// snapshot of the database. Ends (COMMIT) on destruction.
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db) {}
  Status begin() {
    auto s = db_.exec("BEGIN");
    active_ = s.ok();
    return s;
  }
  ~ReadTransaction() {
    if (active_) (void)db_.exec("COMMIT");
  }

 private:
  Db& db_;
  bool active_ = false;
};

// Maps the last error of `db` (with `what` as context) to an Error.
Error sqlite_error(sqlite3* db, std::string_view what);

}  // namespace postern::store::sqlite
