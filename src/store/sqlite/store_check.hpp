// The integrity checker behind `postern store check`: compares the data
// directory's metadata (postern.db) with its blob files and with itself.
// Opens the database read-only and changes nothing, so it may run with the
// server stopped or next to a running one (see check_store for how it avoids
// reporting a delivery or expunge that was in flight while it looked).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace postern::store::sqlite {

struct StoreCheckReport {
  std::vector<std::string> problems;  // one precise line each
  uint64_t mailboxes = 0;
  uint64_t messages = 0;          // message rows
  uint64_t mailbox_rows = 0;      // (mailbox, uid) rows
  uint64_t blobs = 0;             // blob files verified (content hashed)
  uint64_t queue_messages = 0;
  bool clean() const { return problems.empty(); }
};

// Runs every check on <data_dir>: SQLite integrity and foreign keys; every
// message's blob present, of its recorded size and hashing to its name;
// blob files no row refers to; blob reference counts; per mailbox UIDs
// unique and below UIDNEXT, MODSEQs not above HIGHESTMODSEQ, message count
// and size counters (the quota usage) equal to its rows; thread ids; the
// outbound queue's blobs. `on_problem` (optional) sees each problem as it
// is confirmed. An Error means the check itself could not run (no
// database, unreadable directory), not that the store has problems.
Result<StoreCheckReport> check_store(const std::string& data_dir,
                                     const std::function<void(const std::string&)>& on_problem = {});

}  // namespace postern::store::sqlite
