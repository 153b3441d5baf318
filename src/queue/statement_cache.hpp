// The outbound queue's prepared statements, kept for the life of its
// connection. The queue runs the same dozen statements for every message,
// and preparing one (parse, plan) cost more than running it: re-preparing
// was half of the CPU of a draining queue (bench/results/profile-relay.md).
// Not thread-safe: the owner serialises every use (OutboundQueue's mutex).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "store/sqlite/db.hpp"

namespace postern::queue {

class StatementCache {
 public:
  // Borrowed use of a cached statement. Its end resets the statement and
  // clears its bindings, so a SELECT left half-read never keeps a read
  // snapshot (which would stop WAL checkpoints and hide later commits).
  class Lease {
   public:
    explicit Lease(store::sqlite::Statement& st) : st_(&st) {}
    Lease(Lease&& o) noexcept : st_(o.st_) { o.st_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (st_) st_->reset();
    }
    store::sqlite::Statement& operator*() const { return *st_; }
    store::sqlite::Statement* operator->() const { return st_; }

   private:
    store::sqlite::Statement* st_;
  };

  explicit StatementCache(store::sqlite::Db& db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql`, prepared on first use. Only one Lease of the
  // same text may be alive at a time.
  Result<Lease> get(std::string_view sql);

  // What the cached statements did so far (sqlite3_stmt_status): rows
  // stepped through in full table scans, and virtual-machine steps. Tests
  // use them to prove that the per-message work does not grow with the
  // queue.
  struct Counters {
    int64_t full_scan_steps = 0;
    int64_t vm_steps = 0;
  };
  Counters counters() const;

 private:
  store::sqlite::Db& db_;
  std::map<std::string, store::sqlite::Statement, std::less<>> statements_;
};

}  // namespace postern::queue
