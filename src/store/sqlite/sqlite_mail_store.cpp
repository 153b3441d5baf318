// SqliteMailStore: wiring of blob store, I/O pool, committer and reads.
#include "store/sqlite/sqlite_mail_store.hpp"

#include <malloc.h>
#include <sys/stat.h>

#include <filesystem>
#include <unordered_set>

#include "core/log.hpp"
#include "mime/message_structure.hpp"
#include "mime/structure_codec.hpp"
#include "store/sqlite/mail_read.hpp"
#include "store/sqlite/mail_write.hpp"
#include "store/sqlite/mailbox_write.hpp"
#include "store/sqlite/schema.hpp"

namespace postern::store::sqlite {

SqliteMailStore::SqliteMailStore(std::string data_dir, StoreOptions options)
    : data_dir_(std::move(data_dir)), options_(options), blobs_(data_dir_) {}

SqliteMailStore::~SqliteMailStore() { drain(); }

Result<std::unique_ptr<SqliteMailStore>> SqliteMailStore::open(const std::string& data_dir, StoreOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return temporary_error("cannot create data directory " + data_dir + ": " + ec.message());
  std::unique_ptr<SqliteMailStore> s(new SqliteMailStore(data_dir, options));
  if (auto st = s->blobs_.open(); !st) return st.error();
  auto write_db = Db::open(database_path(data_dir));
  if (!write_db) return write_db.error();
  if (auto st = migrate(*write_db); !st) return st.error();
  // Reads map the database instead of pread()ing it into SQLite's 2 MB page
  // cache: a SELECT of a large mailbox walks every message row for its
  // flags, and copying those pages in again on each SELECT was a third of
  // its time (bench/imap_bench.py, 100,000 messages). Mapped pages are the
  // OS page cache, shared and reclaimable; writes still go through the WAL.
  s->readers_ = std::make_unique<ReadPool>(database_path(data_dir), options.read_connections, int64_t{1} << 30);
  s->views_ = std::make_unique<MailboxViewCache>(options.view_cache_min_rows, options.view_cache_max_rows);
  auto* raw = s.get();
  s->committer_ = std::make_unique<Committer>(std::move(*write_db), s->notifier_, [raw](const std::string& hash) {
    if (auto st = raw->blobs_.remove(hash); !st) log::warn("blob_unlink_failed", {{"error", st.error().message}});
  });
  if (options.collect_garbage) {
    auto gc = s->collect_garbage();
    if (!gc) return gc.error();
    if (gc->orphan_files || gc->released_blobs)
      log::info("store_garbage_collected", {{"orphan_files", gc->orphan_files}, {"released_blobs", gc->released_blobs}});
    // The scan's set of every blob hash (~15 MiB for 100,000 messages) is
    // free now; hand the pages back instead of keeping them as idle RSS.
    malloc_trim(0);
  }
  if (auto st = s->committer_->start(); !st) return st.error();
  s->io_pool_ = std::make_unique<ThreadPool>(options.blob_io_threads, "blob-io");
  return s;
}

void SqliteMailStore::deliver(Delivery delivery, DeliveryCallback done) {
  std::vector<Delivery> one;
  one.push_back(std::move(delivery));
  deliver_all(std::move(one), [done = std::move(done)](Result<std::vector<DeliveryReceipt>> r) {
    if (!r) return done(r.error());
    done(std::move(r->front()));
  });
}

void SqliteMailStore::deliver_all(std::vector<Delivery> deliveries, Done<Result<std::vector<DeliveryReceipt>>> done) {
  io_pool_->post([this, ds = std::move(deliveries), done = std::move(done)]() mutable {
    std::vector<std::string> hashes;
    for (auto& d : ds) {
      // The structure cache is computed here, off the event loops, once per
      // message (DESIGN.md: FETCH never re-parses).
      if (d.structure.empty()) d.structure = mime::encode_structure(mime::parse_message_structure(d.content));
      auto hash = blobs_.write(d.content);
      if (!hash) {
        // Blobs already written for this batch are unreferenced: the
        // startup collection removes them.
        log::error("blob_write_failed", {{"error", hash.error().message}});
        return done(hash.error());
      }
      hashes.push_back(std::move(*hash));
    }
    using Receipts = std::vector<DeliveryReceipt>;
    auto receipts = std::make_shared<Receipts>();
    committer_->enqueue(Committer::Op{
        // One op, so one savepoint: an error rolls back every message.
        [this, ds = std::move(ds), hashes = std::move(hashes), receipts](WriteContext& ctx) -> Status {
          receipts->clear();
          std::vector<std::pair<int64_t, int64_t>> changed;
          for (size_t i = 0; i < ds.size(); ++i) {
            // The blob may have been released and unlinked since this delivery
            // found it (dedupe); then fail cleanly rather than refer to nothing.
            if (!blobs_.exists(hashes[i])) return temporary_error("blob " + hashes[i].substr(0, 16) + " vanished; retry");
            auto r = ctx.writer.apply(ds[i], hashes[i]);
            if (!r) return r.error();
            for (const auto& c : r->copies) changed.emplace_back(c.account_id, c.modseq);
            receipts->push_back(std::move(*r));
          }
          ctx.changed.insert(ctx.changed.end(), changed.begin(), changed.end());
          return Ok{};
        },
        [receipts, done = std::move(done)](const Status& s) {
          if (!s) done(s.error());
          else done(std::move(*receipts));
        }});
  });
}

template <class T, class Fn>
void SqliteMailStore::submit(Fn op, Done<Result<T>> done) {
  auto value = std::make_shared<std::optional<Result<T>>>();
  committer_->enqueue(Committer::Op{[op = std::move(op), value](WriteContext& ctx) -> Status {
                                      auto r = op(ctx);
                                      if (!r) return r.error();
                                      *value = std::move(r);
                                      return Ok{};
                                    },
                                    [value, done = std::move(done)](const Status& s) {
                                      if (!s) done(s.error());
                                      else done(std::move(**value));
                                    }});
}

template <class Fn>
void SqliteMailStore::submit_status(Fn op, Done<Status> done) {
  committer_->enqueue(Committer::Op{std::move(op), [done = std::move(done)](const Status& s) { done(s); }});
}

void SqliteMailStore::create_mailbox(int64_t account_id, std::string name, std::string special_use,
                                     Done<Result<int64_t>> done) {
  submit<int64_t>([=](WriteContext& ctx) { return sqlite::create_mailbox(ctx, account_id, name, special_use); },
                  std::move(done));
}

void SqliteMailStore::delete_mailbox(int64_t account_id, std::string name, Done<Status> done) {
  submit_status([=](WriteContext& ctx) { return sqlite::delete_mailbox(ctx, account_id, name); }, std::move(done));
}

void SqliteMailStore::rename_mailbox(int64_t account_id, std::string from, std::string to, Done<Status> done) {
  submit_status([=](WriteContext& ctx) { return sqlite::rename_mailbox(ctx, account_id, from, to); },
                std::move(done));
}

void SqliteMailStore::set_subscribed(int64_t account_id, std::string name, bool subscribed, Done<Status> done) {
  submit_status([=](WriteContext& ctx) { return sqlite::set_subscribed(ctx, account_id, name, subscribed); },
                std::move(done));
}

void SqliteMailStore::update_flags(int64_t account_id, int64_t mailbox_id, FlagUpdate update,
                                   Done<Result<FlagUpdateResult>> done) {
  submit<FlagUpdateResult>(
      [=, update = std::move(update)](WriteContext& ctx) { return sqlite::update_flags(ctx, account_id, mailbox_id, update); },
      std::move(done));
}

void SqliteMailStore::expunge(int64_t account_id, int64_t mailbox_id, std::optional<std::vector<uint32_t>> only_uids,
                              Done<Result<std::vector<uint32_t>>> done) {
  submit<std::vector<uint32_t>>(
      [=, only = std::move(only_uids)](WriteContext& ctx) { return sqlite::expunge(ctx, account_id, mailbox_id, only); },
      std::move(done));
}

void SqliteMailStore::copy_messages(int64_t account_id, int64_t from_mailbox_id, std::vector<uint32_t> uids,
                                    int64_t to_mailbox_id, bool move, Done<Result<CopyResult>> done) {
  submit<CopyResult>(
      [=, uids = std::move(uids)](WriteContext& ctx) {
        return sqlite::copy_messages(ctx, account_id, from_mailbox_id, uids, to_mailbox_id, move);
      },
      std::move(done));
}

Result<MailboxView> SqliteMailStore::mailbox_rows(int64_t account_id, int64_t mailbox_id) {
  auto db = readers_->acquire();
  if (!db) return db.error();
  return views_->rows(db->db(), account_id, mailbox_id);
}

Result<MailboxChanges> SqliteMailStore::changes_since(int64_t account_id, int64_t mailbox_id, int64_t modseq) {
  auto db = readers_->acquire();
  if (!db) return db.error();
  return sqlite::changes_since(db->db(), account_id, mailbox_id, modseq);
}

Result<std::vector<MessageData>> SqliteMailStore::message_data(int64_t account_id,
                                                               const std::vector<int64_t>& message_ids) {
  auto db = readers_->acquire();
  if (!db) return db.error();
  return sqlite::message_data(db->db(), account_id, message_ids);
}

Result<QuotaUsage> SqliteMailStore::quota(int64_t account_id) {
  auto db = readers_->acquire();
  if (!db) return db.error();
  return sqlite::quota_usage(db->db(), account_id);
}

void SqliteMailStore::drain() {
  // Blob writes finish first (they feed the committer), then the commits.
  io_pool_.reset();
  if (committer_) committer_->stop();
}

Result<GarbageReport> SqliteMailStore::collect_garbage() {
  GarbageReport report;
  // Its own connection, without the readers' memory map: the scan of the
  // blobs table would fault in (with the kernel's fault-around) most of
  // the mapped file, ~70 MiB kept resident for a 100,000-message store.
  auto opened = Db::open(database_path(data_dir_));
  if (!opened) return opened.error();
  Db& db = *opened;
  std::unordered_set<std::string> referenced;
  {
    auto st = db.prepare("SELECT hash FROM blobs WHERE refcount > 0");
    if (!st) return st.error();
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) break;
      referenced.insert(st->text(0));
    }
  }
  std::vector<std::string> doomed;
  if (auto s = blobs_.for_each([&](const std::string& h) {
        if (!referenced.count(h)) doomed.push_back(h);
      });
      !s)
    return s.error();
  {
    WriteTransaction tx(db);
    if (auto s = tx.begin(); !s) return s.error();
    auto st = db.prepare("DELETE FROM blobs WHERE refcount <= 0");
    if (!st) return st.error();
    if (auto s = st->run(); !s) return s.error();
    report.released_blobs = static_cast<uint64_t>(db.changes());
    if (auto s = tx.commit(); !s) return s.error();
  }
  for (const auto& h : doomed) {
    if (auto s = blobs_.remove(h); !s) return s.error();
    ++report.orphan_files;
  }
  // Files of released blobs were counted as orphans above when their row had
  // refcount 0, so they are already gone.
  return report;
}

Result<std::vector<MailboxInfo>> SqliteMailStore::list_mailboxes(int64_t account_id) {
  auto db = readers_->acquire();
  if (!db) return db.error();
  return sqlite::list_mailboxes(db->db(), account_id);
}

Result<std::vector<MessageInfo>> SqliteMailStore::list_messages(int64_t account_id, const std::string& mailbox) {
  auto db = readers_->acquire();
  if (!db) return db.error();
  return sqlite::list_messages(db->db(), account_id, mailbox);
}

Result<std::string> SqliteMailStore::read_message(int64_t account_id, const std::string& mailbox, uint32_t uid) {
  Result<std::string> hash = std::string();
  {
    auto db = readers_->acquire();
    if (!db) return db.error();
    hash = sqlite::find_message_blob(db->db(), account_id, mailbox, uid);
  }
  if (!hash) return hash.error();
  return blobs_.read(*hash);
}

}  // namespace postern::store::sqlite
