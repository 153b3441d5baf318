// ImapMailAccess: each call either runs a blocking function on the worker
// pool or hands a callback to the store, via awaitable_bridge.hpp. None of
// these is a coroutine (see awaitable_bridge.hpp on GCC 12).
#include "net/imap_mail_access.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <mutex>
#include <thread>

#include "delivery/local_delivery.hpp"
#include "directory/thread_directory.hpp"
#include "guard/guard.hpp"
#include "net/awaitable_bridge.hpp"

namespace postern::net {

using imap::Task;
template <class T>
using Cb = std::function<void(T)>;

namespace {

class StoreBlobReader final : public imap::BlobReader {
 public:
  explicit StoreBlobReader(store::MailStore& store) : store_(store) {}
  Result<std::string> read(const std::string& hash, uint64_t max_bytes) override {
    return max_bytes > 0 ? store_.read_blob_prefix(hash, max_bytes) : store_.read_blob(hash);
  }

 private:
  store::MailStore& store_;
};

// Messages per chunk: large enough that the SQLite lookup of a chunk's data
// is one short lock, small enough that other sessions' work waits little.
constexpr size_t kScanChunk = 256;

// One scan_messages call. A few lanes run on the worker pool; each takes
// the next chunk, visits it, and posts itself again at the back of the
// queue, so that work other sessions queue meanwhile runs in between.
struct ScanJob {
  store::MailStore& store;
  ThreadPool& pool;
  int64_t account_id = 0;
  std::vector<int64_t> ids;
  imap::MessageVisitor visit;
  std::function<void(Status)> done;
  size_t chunks = 0;
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  std::mutex mu;
  std::optional<Error> error;  // guarded by mu
};

void run_lane(const std::shared_ptr<ScanJob>& job) {
  size_t c = job->next.fetch_add(1);
  if (c >= job->chunks) return;
  size_t begin = c * kScanChunk;
  size_t end = std::min(job->ids.size(), begin + kScanChunk);
  std::vector<int64_t> chunk(job->ids.begin() + static_cast<std::ptrdiff_t>(begin),
                             job->ids.begin() + static_cast<std::ptrdiff_t>(end));
  auto data = job->store.message_data(job->account_id, chunk);
  if (!data) {
    std::lock_guard lock(job->mu);
    if (!job->error) job->error = data.error();
  } else {
    StoreBlobReader blobs(job->store);
    // message_data keeps the order of the ids and skips the missing ones.
    size_t k = 0;
    for (size_t i = begin; i < end; ++i) {
      const store::MessageData* d = nullptr;
      if (k < data->size() && (*data)[k].message_id == job->ids[i]) d = &(*data)[k++];
      job->visit(i, d, blobs);
    }
  }
  if (job->finished.fetch_add(1) + 1 == job->chunks) {
    std::optional<Error> error;
    {
      std::lock_guard lock(job->mu);
      error = job->error;
    }
    job->done(error ? Status(*error) : Status(Ok{}));
    return;
  }
  if (job->next.load() < job->chunks) job->pool.post([job] { run_lane(job); });
}

}  // namespace

Task<Result<std::optional<imap::AuthenticatedUser>>> ImapMailAccess::authenticate(std::string user,
                                                                                  std::string password,
                                                                                  std::string client_address) {
  using R = Result<std::optional<imap::AuthenticatedUser>>;
  auto now = static_cast<int64_t>(std::time(nullptr));
  auto priority = guard_ && guard_->trusted_source(client_address, now) ? ThreadPool::Priority::urgent
                                                                        : ThreadPool::Priority::normal;
  std::function<R()> work = [this, user = std::move(user), password = std::move(password),
                             client_address = std::move(client_address)]() -> R {
    auto dir = directory::thread_directory(database_path_);
    if (!dir) return dir.error();
    auto account = (*dir)->authenticate(user, password);
    if (!account) return account.error();
    if (!*account) return std::optional<imap::AuthenticatedUser>();
    if (guard_) guard_->record_login(client_address, static_cast<int64_t>(std::time(nullptr)));
    return std::optional<imap::AuthenticatedUser>(imap::AuthenticatedUser{(*account)->id, (*account)->address});
  };
  return run_blocking<R>(auth_workers_, std::move(work), priority);
}

Task<Result<std::vector<store::MailboxInfo>>> ImapMailAccess::list_mailboxes(int64_t account_id) {
  using R = Result<std::vector<store::MailboxInfo>>;
  return run_blocking<R>(workers_, [this, account_id] { return store_.list_mailboxes(account_id); });
}

Task<Result<store::MailboxView>> ImapMailAccess::mailbox_rows(int64_t account_id, int64_t mailbox_id) {
  using R = Result<store::MailboxView>;
  return run_blocking<R>(workers_, [=, this] { return store_.mailbox_rows(account_id, mailbox_id); });
}

Task<Result<store::MailboxChanges>> ImapMailAccess::changes_since(int64_t account_id, int64_t mailbox_id,
                                                                  int64_t modseq) {
  using R = Result<store::MailboxChanges>;
  return run_blocking<R>(workers_, [=, this] { return store_.changes_since(account_id, mailbox_id, modseq); });
}

Task<Result<store::QuotaUsage>> ImapMailAccess::quota(int64_t account_id) {
  using R = Result<store::QuotaUsage>;
  return run_blocking<R>(workers_, [=, this] { return store_.quota(account_id); });
}

Task<Result<std::vector<store::MessageData>>> ImapMailAccess::message_data(int64_t account_id, std::vector<int64_t> ids) {
  using R = Result<std::vector<store::MessageData>>;
  return run_blocking<R>(workers_, [this, account_id, ids = std::move(ids)] {
    return store_.message_data(account_id, ids);
  });
}

Task<Result<std::string>> ImapMailAccess::read_blob(std::string hash) {
  return run_blocking<Result<std::string>>(workers_, [this, hash = std::move(hash)] { return store_.read_blob(hash); });
}

Task<Status> ImapMailAccess::scan_messages(int64_t account_id, std::vector<int64_t> message_ids,
                                           imap::MessageVisitor visit) {
  auto job = std::make_shared<ScanJob>(store_, workers_);
  job->account_id = account_id;
  job->ids = std::move(message_ids);
  job->visit = std::move(visit);
  job->chunks = (job->ids.size() + kScanChunk - 1) / kScanChunk;
  return from_callback<Status>([job](Cb<Status> done) {
    if (job->chunks == 0) return done(Status(Ok{}));
    job->done = std::move(done);
    size_t lanes = std::min<size_t>(job->chunks, std::max(2u, std::thread::hardware_concurrency()));
    for (size_t i = 0; i < lanes; ++i) job->pool.post([job] { run_lane(job); });
  });
}

Task<Result<int64_t>> ImapMailAccess::create_mailbox(int64_t account_id, std::string name, std::string special_use) {
  using R = Result<int64_t>;
  return from_callback<R>([=, this](Cb<R> done) {
    store_.create_mailbox(account_id, name, special_use, std::move(done));
  });
}

Task<Status> ImapMailAccess::delete_mailbox(int64_t account_id, std::string name) {
  return from_callback<Status>([=, this](Cb<Status> done) { store_.delete_mailbox(account_id, name, std::move(done)); });
}

Task<Status> ImapMailAccess::rename_mailbox(int64_t account_id, std::string from, std::string to) {
  return from_callback<Status>([=, this](Cb<Status> done) {
    store_.rename_mailbox(account_id, from, to, std::move(done));
  });
}

Task<Status> ImapMailAccess::set_subscribed(int64_t account_id, std::string name, bool subscribed) {
  return from_callback<Status>([=, this](Cb<Status> done) {
    store_.set_subscribed(account_id, name, subscribed, std::move(done));
  });
}

Task<Result<store::FlagUpdateResult>> ImapMailAccess::update_flags(int64_t account_id, int64_t mailbox_id,
                                                                   store::FlagUpdate update) {
  using R = Result<store::FlagUpdateResult>;
  return from_callback<R>([=, this](Cb<R> done) {
    store_.update_flags(account_id, mailbox_id, update, std::move(done));
  });
}

Task<Result<std::vector<uint32_t>>> ImapMailAccess::expunge(int64_t account_id, int64_t mailbox_id,
                                                             std::optional<std::vector<uint32_t>> only_uids) {
  using R = Result<std::vector<uint32_t>>;
  return from_callback<R>([=, this](Cb<R> done) {
    store_.expunge(account_id, mailbox_id, only_uids, std::move(done));
  });
}

Task<Result<store::CopyResult>> ImapMailAccess::copy_messages(int64_t account_id, int64_t from_mailbox_id,
                                                              std::vector<uint32_t> uids, int64_t to_mailbox_id,
                                                              bool move) {
  using R = Result<store::CopyResult>;
  return from_callback<R>([=, this](Cb<R> done) {
    store_.copy_messages(account_id, from_mailbox_id, uids, to_mailbox_id, move, std::move(done));
  });
}

Task<Result<std::vector<store::DeliveryReceipt>>> ImapMailAccess::append(int64_t account_id, std::string mailbox,
                                                                         std::vector<imap::AppendRequest> requests) {
  using R = Result<std::vector<store::DeliveryReceipt>>;
  auto ds = std::make_shared<std::vector<store::Delivery>>();
  for (auto& request : requests) {
    store::Delivery d;
    d.summary = delivery::summarize(request.content);
    d.content = std::move(request.content);
    d.internal_date = request.internal_date;
    d.targets.push_back({account_id, mailbox, std::move(request.flags)});
    ds->push_back(std::move(d));
  }
  return from_callback<R>([this, ds](Cb<R> done) { store_.deliver_all(std::move(*ds), std::move(done)); });
}

}  // namespace postern::net
