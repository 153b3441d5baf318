// Applying one delivery to the database inside the committer's open
// transaction: blob reference, message row per account (joined to its
// thread), a UID and MODSEQ per mailbox. Statements are prepared once per connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/mail_store.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

class MailWriter {
 public:
  static Result<std::unique_ptr<MailWriter>> create(Db& db);

  // Must run inside a write transaction. On error the caller rolls back to
  // a savepoint taken before the call.
  Result<DeliveryReceipt> apply(const Delivery& d, const std::string& blob_hash);

 private:
  explicit MailWriter(Db& db) : db_(db) {}
  // The thread of the closest referenced message in the account, if any.
  Result<std::optional<int64_t>> find_thread(int64_t account, const std::vector<std::string>& references);

  Db& db_;
  Statement find_mailbox_, add_blob_, add_message_, find_thread_, bump_account_, alloc_uid_, add_row_;
};

}  // namespace postern::store::sqlite
