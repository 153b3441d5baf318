// The MX recipient policy: resolves RCPT addresses through the directory
// (a Directory on a per-thread database connection, so lookups see CLI
// changes immediately and never share a connection across threads).
// Never an open relay: a non-local recipient is refused unless the client
// authenticated (submission, later).
#pragma once

#include <string>

#include "smtp/server/session.hpp"

namespace postern::server {

class DirectoryRecipientPolicy final : public smtp::RecipientPolicy {
 public:
  explicit DirectoryRecipientPolicy(std::string database_path) : database_path_(std::move(database_path)) {}
  smtp::RecipientDecision check_recipient(const EmailAddress& recipient, bool authenticated) override;
  bool may_send_as(int64_t account_id, const EmailAddress& address) override;
  bool is_local_domain(std::string_view domain) override;

 private:
  std::string database_path_;
};

}  // namespace postern::server
