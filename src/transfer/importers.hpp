// `postern import maildir|mbox`: read a Maildir++ tree or an mbox file and
// store its messages for one account (see mail_importer.hpp for the write
// path and idempotence). Files that cannot be read or stored are reported
// in the returned report and skipped; only a problem with the whole source
// (not a Maildir, unreadable file) or with the store is an error.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "store/mail_store.hpp"
#include "transfer/import_report.hpp"
#include "transfer/proto/mbox.hpp"

namespace postern::transfer {

struct ImportTarget {
  store::MailStore& store;
  std::string data_dir;        // the store's data directory
  int64_t account_id = 0;
  bool progress = false;       // draw a progress bar on stdout
  uint64_t max_message_size = 0;  // larger messages are skipped (0 = no limit)
};

enum class DateSource { mtime, file_name };

// A Dovecot/Courier Maildir++ tree: INBOX at the top, ".A.B" folders as
// "A/B", flags from file names, keywords from each folder's dovecot-keywords,
// INTERNALDATE from the file's mtime (as Dovecot does) or its name.
Result<ImportReport> import_maildir(const ImportTarget& target, const std::string& path, DateSource dates);

// One mbox file into one mailbox; INTERNALDATE from the From_ line.
Result<ImportReport> import_mbox(const ImportTarget& target, const std::string& path, const std::string& mailbox,
                                 MboxFormat format);

}  // namespace postern::transfer
