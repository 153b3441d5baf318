// Prepared-statement cache of the outbound queue; see statement_cache.hpp.
#include "queue/statement_cache.hpp"

#include <sqlite3.h>

namespace postern::queue {

Result<StatementCache::Lease> StatementCache::get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    it = statements_.emplace(std::string(sql), std::move(*st)).first;
  }
  return Lease(it->second);
}

StatementCache::Counters StatementCache::counters() const {
  Counters c;
  for (const auto& [sql, st] : statements_) {
    c.full_scan_steps += sqlite3_stmt_status(st.handle(), SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    c.vm_steps += sqlite3_stmt_status(st.handle(), SQLITE_STMTSTATUS_VM_STEP, 0);
  }
  return c;
}

}  // namespace postern::queue
