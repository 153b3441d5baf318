// The part every import shares: messages go into one target mailbox at a
// time through the store's normal write path (MailStore::deliver_all, as
// IMAP MULTIAPPEND does), many per committer operation, with their blobs
// written and fsynced in parallel first. A message whose exact content is
// already in the target mailbox is skipped, so running an import again adds
// nothing (counted per copy: a folder holding two identical messages gets
// two, once). Blocking; for the CLI.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/thread_pool.hpp"
#include "store/blob_store.hpp"
#include "store/mail_store.hpp"
#include "transfer/import_report.hpp"

namespace postern::transfer {

struct ImportMessage {
  std::string source;                // path for error reports
  std::string content;               // CRLF line ends
  std::vector<std::string> flags;    // system flags and keywords
  int64_t internal_date = 0;
  std::string return_path;
};

class MailImporter {
 public:
  // `data_dir` is the store's (blob files are written there before delivery).
  MailImporter(store::MailStore& store, const std::string& data_dir, int64_t account_id, ImportReport& report,
               Progress& progress);
  ~MailImporter();

  // Makes `name` the target of add(): with a special use (RFC 6154), the
  // account's existing mailbox of that use when it has one (an imported
  // "Sent Items" lands in our "Sent"); otherwise the mailbox `name`,
  // created when missing. Returns the store name used. Errors: an invalid
  // name, store failures.
  Result<std::string> open_mailbox(const std::string& name, const std::optional<std::string>& special_use);

  // Queues one message for the current mailbox (stored by the next flush,
  // which add() triggers when the batch is full).
  void add(ImportMessage message);
  // Stores what is queued. Store errors of single messages are reported as
  // skipped; an error for the whole store (disk) is returned.
  Status flush();

 private:
  Status deliver(std::vector<ImportMessage>& batch);
  void write_blobs(std::vector<store::Delivery>& ds, std::vector<std::string>& errors);

  store::MailStore& store_;
  store::BlobStore blobs_;
  int64_t account_id_;
  ImportReport& report_;
  Progress& progress_;
  std::unique_ptr<ThreadPool> pool_;
  std::string mailbox_;
  std::map<std::string, int64_t> existing_;  // content hash -> copies already in mailbox_
  std::vector<ImportMessage> pending_;
  uint64_t pending_bytes_ = 0;
};

}  // namespace postern::transfer
