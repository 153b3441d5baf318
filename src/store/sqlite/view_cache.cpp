// Keeping mailbox views between SELECTs and bringing them up to date from
// the changes since (see view_cache.hpp).
#include "store/sqlite/view_cache.hpp"

#include <algorithm>

#include "store/sqlite/mail_read.hpp"

namespace postern::store::sqlite {

namespace {

// Applies changes read since the entry's snapshot: expunges drop out, flag
// changes replace the row, new messages are inserted in UID order (they
// almost always go at the end: UIDs only grow).
void apply(MailboxSnapshot& snap, MailboxChanges& changes) {
  auto& rows = snap.rows;
  if (!changes.expunged.empty()) {
    std::erase_if(rows, [&](const MessageRow& r) {
      return std::binary_search(changes.expunged.begin(), changes.expunged.end(), r.uid);
    });
  }
  auto by_uid = [](const MessageRow& r, uint32_t uid) { return r.uid < uid; };
  for (auto& c : changes.changed) {
    snap.highest_row_modseq = std::max(snap.highest_row_modseq, c.modseq);
    if (rows.empty() || c.uid > rows.back().uid) {
      rows.push_back(std::move(c));
      continue;
    }
    auto it = std::lower_bound(rows.begin(), rows.end(), c.uid, by_uid);
    if (it != rows.end() && it->uid == c.uid) {
      *it = std::move(c);
    } else {
      rows.insert(it, std::move(c));
    }
  }
}

int64_t highest_modseq_of(const std::vector<MessageRow>& rows) {
  int64_t m = 0;
  for (const auto& r : rows) m = std::max(m, r.modseq);
  return m;
}

}  // namespace

std::shared_ptr<MailboxViewCache::Entry> MailboxViewCache::find(int64_t mailbox_id, bool create) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(mailbox_id);
  if (it != entries_.end()) return it->second;
  if (!create) return nullptr;
  auto e = std::make_shared<Entry>();
  entries_.emplace(mailbox_id, e);
  lru_.push_front(mailbox_id);
  e->lru_pos = lru_.begin();
  return e;
}

void MailboxViewCache::drop_locked(int64_t mailbox_id) {
  auto it = entries_.find(mailbox_id);
  if (it == entries_.end()) return;
  total_rows_ -= it->second->counted;
  lru_.erase(it->second->lru_pos);
  entries_.erase(it);
}

void MailboxViewCache::stored(int64_t mailbox_id, const std::shared_ptr<Entry>& entry, size_t rows, Source how) {
  std::vector<std::shared_ptr<Entry>> evicted;  // freed outside the lock
  std::lock_guard lock(mu_);
  ++(how == Source::hit ? stats_.hits : how == Source::update ? stats_.updates : stats_.loads);
  auto it = entries_.find(mailbox_id);
  if (it != entries_.end() && it->second == entry) {  // not evicted meanwhile
    if (rows < min_rows_) {
      drop_locked(mailbox_id);  // shrank below the threshold: not worth keeping
    } else {
      total_rows_ = total_rows_ - entry->counted + rows;
      entry->counted = rows;
      lru_.splice(lru_.begin(), lru_, entry->lru_pos);
      while (total_rows_ > max_rows_ && lru_.size() > 1) {
        int64_t victim = lru_.back();
        evicted.push_back(entries_[victim]);
        drop_locked(victim);
      }
    }
  }
  stats_.rows = total_rows_;
}

Result<MailboxView> MailboxViewCache::rows(Db& db, int64_t account_id, int64_t mailbox_id) {
  ReadTransaction tx(db);
  if (auto s = tx.begin(); !s) return s.error();
  auto state = mailbox_state(db, account_id, mailbox_id);
  if (!state) return state.error();

  auto entry = find(mailbox_id, state->messages >= static_cast<int64_t>(min_rows_));
  if (!entry) {  // small and not kept: read it
    auto out = std::make_shared<MailboxSnapshot>();
    if (auto s = read_rows(db, mailbox_id, out->rows); !s) return s.error();
    out->highest_row_modseq = highest_modseq_of(out->rows);
    std::lock_guard lock(mu_);
    ++stats_.direct;
    return MailboxView(std::move(out));
  }
  std::lock_guard hold(entry->mu);
  bool same_mailbox = entry->modseq >= 0 && entry->account_id == account_id && entry->uidvalidity == state->uidvalidity;
  Source how = Source::load;
  // A newer snapshot than ours (another reader began later) is as good:
  // the session filters changes it already has (imap/session/updates.cpp).
  if (same_mailbox && entry->modseq >= state->highest_modseq) {
    how = Source::hit;
  } else if (same_mailbox) {
    MailboxChanges changes;
    if (auto s = read_changes(db, mailbox_id, entry->modseq, changes); !s) return s.error();
    // Past a point, reading everything again is cheaper than patching.
    if (changes.changed.size() + changes.expunged.size() <= entry->snap->rows.size() / 4 + 64) {
      // Sessions hold the current rows: change a copy. (Only this thread,
      // under the entry's lock, makes new holders, so a count of one
      // cannot grow meanwhile.)
      if (entry->snap.use_count() > 1) entry->snap = std::make_shared<MailboxSnapshot>(*entry->snap);
      apply(*entry->snap, changes);
      how = Source::update;
    }
  }
  if (how == Source::load) {
    auto fresh = std::make_shared<MailboxSnapshot>();
    fresh->rows.reserve(static_cast<size_t>(std::max<int64_t>(0, state->messages)));
    if (auto s = read_rows(db, mailbox_id, fresh->rows); !s) {
      entry->modseq = -1;
      entry->snap = std::make_shared<MailboxSnapshot>();
      return s.error();
    }
    fresh->highest_row_modseq = highest_modseq_of(fresh->rows);
    entry->snap = std::move(fresh);
    entry->modseq = state->highest_modseq;
  } else {
    entry->modseq = std::max(entry->modseq, state->highest_modseq);
  }
  entry->account_id = account_id;
  entry->uidvalidity = state->uidvalidity;
  MailboxView out = entry->snap;
  stored(mailbox_id, entry, entry->snap->rows.size(), how);
  return out;
}

MailboxViewCache::Stats MailboxViewCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace postern::store::sqlite
