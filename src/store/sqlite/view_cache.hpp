// The views (rows in UID order: UID, message id, MODSEQ, flags) of large
// mailboxes, kept from one SELECT to the next. A SELECT of a 100,000-message
// INBOX used to walk and join 100,000 database rows each time (129 ms;
// bench/results/profile-select.md); with the cache it reads the changes
// since the cached MODSEQ through the (mailbox_id, modseq) indexes, applies
// them, and hands the same immutable rows to every session. Dovecot gets the same effect from its
// memory-mapped index files.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "store/mail_store.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

class MailboxViewCache {
 public:
  // Mailboxes with fewer than `min_rows` messages are not kept (reading them
  // is cheap); at most `max_rows` rows are kept in all, least recently used
  // mailboxes going first.
  MailboxViewCache(size_t min_rows, size_t max_rows) : min_rows_(min_rows), max_rows_(max_rows) {}

  // The mailbox's rows as of a snapshot at least as new as a read
  // transaction begun now on `db` (which must not be in one). Sessions
  // share it; the cache copies it before changing it while any holds it.
  Result<MailboxView> rows(Db& db, int64_t account_id, int64_t mailbox_id);

  struct Stats {
    uint64_t hits = 0;     // served as cached
    uint64_t updates = 0;  // brought up to date from the changes
    uint64_t loads = 0;    // read whole, then kept
    uint64_t direct = 0;   // small mailboxes, read whole and not kept
    size_t rows = 0;       // rows kept now
  };
  Stats stats() const;

 private:
  enum class Source { hit, update, load };
  struct Entry {
    std::mutex mu;  // held while the entry is read or brought up to date
    int64_t account_id = 0;
    uint32_t uidvalidity = 0;  // a reused mailbox id never matches an old entry
    int64_t modseq = -1;       // the snapshot's highest_modseq; -1: not loaded
    std::shared_ptr<MailboxSnapshot> snap = std::make_shared<MailboxSnapshot>();
    // Guarded by the cache's mutex, not the entry's:
    size_t counted = 0;  // rows of this entry in total_rows_
    std::list<int64_t>::iterator lru_pos;
  };
  // The mailbox's entry; a new empty one when `create`, else nullptr.
  std::shared_ptr<Entry> find(int64_t mailbox_id, bool create);
  // After a read: counts the entry's new size, makes it the most recent
  // and evicts the least recent beyond the budget.
  void stored(int64_t mailbox_id, const std::shared_ptr<Entry>& entry, size_t rows, Source how);
  void drop_locked(int64_t mailbox_id);

  size_t min_rows_, max_rows_;
  mutable std::mutex mu_;  // guards the map, the LRU order, the counts and stats
  std::unordered_map<int64_t, std::shared_ptr<Entry>> entries_;
  std::list<int64_t> lru_;  // most recent first
  size_t total_rows_ = 0;
  Stats stats_;
};

}  // namespace postern::store::sqlite
