// `postern export maildir|mbox`: write an account's mail out in formats
// other servers and clients read, so nobody is locked in.
//   Maildir++: a tree Dovecot opens as it is (INBOX at the top, ".A.B"
//   folders, flags in file names with ",S=" and ",W=" sizes, a
//   dovecot-keywords file per folder, mtime = INTERNALDATE, and a
//   "subscriptions" file).
//   mbox: mboxrd quoting, From_ line with the return path and INTERNALDATE,
//   flags as Status/X-Status/X-Keywords headers (mutt/Dovecot convention).
// Reads the store directly (works whether or not the server runs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "store/mail_store.hpp"

namespace postern::transfer {

struct ExportReport {
  uint64_t folders = 0;
  uint64_t messages = 0;
  uint64_t bytes = 0;        // octets written (LF line ends)
  std::vector<std::string> notes;  // renamed folders, dropped keywords
  std::string summary() const;
};

// DIR must not exist or be empty.
Result<ExportReport> export_maildir(store::MailStore& store, int64_t account_id, const std::string& dir);

// With a mailbox: that mailbox into the file `path`. Without: every mailbox
// into the directory `path` (created; must be empty), one file per mailbox
// named after it with '/' replaced by '.' and ".mbox" appended.
Result<ExportReport> export_mbox(store::MailStore& store, int64_t account_id, const std::optional<std::string>& mailbox,
                                 const std::string& path);

}  // namespace postern::transfer
