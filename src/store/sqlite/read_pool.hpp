// A pool of reading SQLite connections to the store's database. In WAL
// mode readers never wait for each other or for the committer, but one
// connection can run one statement at a time: with a single shared reader,
// a 1 s SEARCH over a large mailbox held up every other session's NOOP and
// SELECT behind it. Connections are opened on demand up to a cap and kept.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

class ReadPool {
 public:
  // `max_connections` >= 1; each connection maps up to `mmap_bytes` of the
  // database (0: no mapping).
  ReadPool(std::string path, unsigned max_connections, int64_t mmap_bytes);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // One connection for the caller's exclusive use until it is destroyed.
  class Lease {
   public:
    Lease(Lease&& o) noexcept : pool_(o.pool_), db_(std::move(o.db_)) { o.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Db& db() { return *db_; }
    Db* operator->() { return db_.get(); }

   private:
    friend class ReadPool;
    Lease(ReadPool* pool, std::unique_ptr<Db> db) : pool_(pool), db_(std::move(db)) {}
    ReadPool* pool_;
    std::unique_ptr<Db> db_;
  };

  // Waits while every connection is in use and the cap is reached.
  Result<Lease> acquire();
  unsigned open_connections() const;

 private:
  void release(std::unique_ptr<Db> db);
  Result<std::unique_ptr<Db>> open_one() const;

  std::string path_;
  unsigned max_;
  int64_t mmap_bytes_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Db>> idle_;
  unsigned open_ = 0;
};

}  // namespace postern::store::sqlite
