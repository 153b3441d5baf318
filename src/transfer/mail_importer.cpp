// MailImporter: batching, deduplication and parallel blob writes for imports.
#include "transfer/mail_importer.hpp"

#include <condition_variable>
#include <mutex>

#include "core/strings.hpp"
#include "delivery/local_delivery.hpp"
#include "mime/message_structure.hpp"
#include "mime/structure_codec.hpp"
#include "transfer/store_sync.hpp"

namespace postern::transfer {
namespace {

// One committer operation per batch: large enough that the per-transaction
// fsync is noise, small enough that a failing message costs little to
// isolate (the batch is then retried one message at a time).
constexpr size_t kBatchMessages = 500;
constexpr uint64_t kBatchBytes = 32ull << 20;
// Blob files are fsynced one by one; in parallel the disk batches them.
constexpr unsigned kBlobThreads = 8;

}  // namespace

MailImporter::MailImporter(store::MailStore& store, const std::string& data_dir, int64_t account_id,
                           ImportReport& report, Progress& progress)
    : store_(store), blobs_(data_dir), account_id_(account_id), report_(report), progress_(progress),
      pool_(std::make_unique<ThreadPool>(kBlobThreads, "import-blob")) {}

MailImporter::~MailImporter() = default;

Result<std::string> MailImporter::open_mailbox(const std::string& name, const std::optional<std::string>& special_use) {
  if (auto s = flush(); !s) return s.error();
  auto boxes = store_.list_mailboxes(account_id_);
  if (!boxes) return boxes.error();
  std::string target;
  if (special_use) {
    for (const auto& b : *boxes)
      if (iequals(b.special_use, *special_use)) target = b.name;
  }
  if (target.empty()) {
    for (const auto& b : *boxes)
      if (b.name == name || (iequals(name, "INBOX") && iequals(b.name, "INBOX"))) target = b.name;
  }
  if (target.empty()) {
    // A special use nobody has yet goes with the new mailbox.
    auto id = create_mailbox_sync(store_, account_id_, name, special_use.value_or(""));
    if (!id) return Error{id.error().kind, "cannot create mailbox '" + name + "': " + id.error().message};
    target = name;
  }
  mailbox_ = target;
  existing_.clear();
  auto messages = store_.list_messages(account_id_, mailbox_);
  if (!messages) return messages.error();
  for (const auto& m : *messages) ++existing_[m.blob_hash];
  return target;
}

void MailImporter::add(ImportMessage message) {
  const std::string hash = store::BlobStore::hash_of(message.content);
  if (auto it = existing_.find(hash); it != existing_.end() && it->second > 0) {
    --it->second;
    ++report_.duplicates;
    progress_.advance(1, mailbox_);
    return;
  }
  pending_bytes_ += message.content.size();
  pending_.push_back(std::move(message));
  if (pending_.size() >= kBatchMessages || pending_bytes_ >= kBatchBytes) {
    if (auto s = flush(); !s) report_.skipped.push_back({"(store)", s.error().message});
  }
}

Status MailImporter::flush() {
  if (pending_.empty()) return Ok{};
  std::vector<ImportMessage> batch;
  batch.swap(pending_);
  pending_bytes_ = 0;
  return deliver(batch);
}

void MailImporter::write_blobs(std::vector<store::Delivery>& ds, std::vector<std::string>& errors) {
  // Structure parse and blob write per message, spread over the pool; the
  // store's own blob write then finds each blob present and only checks it.
  std::mutex mu;
  std::condition_variable cv;
  size_t left = ds.size();
  errors.assign(ds.size(), std::string());
  for (size_t i = 0; i < ds.size(); ++i) {
    pool_->post([&, i] {
      auto& d = ds[i];
      d.structure = mime::encode_structure(mime::parse_message_structure(d.content));
      auto h = blobs_.write(d.content);
      std::lock_guard lock(mu);
      if (!h) errors[i] = h.error().message;
      if (--left == 0) cv.notify_one();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return left == 0; });
}

Status MailImporter::deliver(std::vector<ImportMessage>& batch) {
  std::vector<store::Delivery> ds;
  ds.reserve(batch.size());
  for (auto& m : batch) {
    store::Delivery d;
    d.summary = delivery::summarize(m.content);
    d.content = std::move(m.content);
    d.internal_date = m.internal_date;
    d.return_path = m.return_path;
    d.targets.push_back({account_id_, mailbox_, m.flags});
    ds.push_back(std::move(d));
  }
  std::vector<std::string> errors;
  write_blobs(ds, errors);
  // Messages whose blob could not be written are reported, the rest go on.
  std::vector<store::Delivery> ready;
  std::vector<size_t> index;
  for (size_t i = 0; i < ds.size(); ++i) {
    if (!errors[i].empty()) {
      report_.skipped.push_back({batch[i].source, "cannot store: " + errors[i]});
      continue;
    }
    index.push_back(i);
    ready.push_back(std::move(ds[i]));
  }
  if (ready.empty()) return Ok{};
  std::vector<uint64_t> sizes;
  for (const auto& d : ready) sizes.push_back(d.content.size());
  auto copy = ready;  // kept for the one-by-one retry below
  auto r = deliver_all_sync(store_, std::move(ready));
  if (r) {
    for (uint64_t s : sizes) report_.bytes += s;
    report_.messages += sizes.size();
    progress_.advance(sizes.size(), mailbox_);
    return Ok{};
  }
  if (r.error().kind == ErrorKind::temporary) return r.error();
  // One message spoiled the batch (all or nothing): find it.
  for (size_t j = 0; j < copy.size(); ++j) {
    std::vector<store::Delivery> one;
    one.push_back(std::move(copy[j]));
    auto single = deliver_all_sync(store_, std::move(one));
    if (!single) {
      report_.skipped.push_back({batch[index[j]].source, single.error().message});
      continue;
    }
    report_.bytes += sizes[j];
    ++report_.messages;
    progress_.advance(1, mailbox_);
  }
  return Ok{};
}

}  // namespace postern::transfer
