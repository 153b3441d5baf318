// DirectoryRecipientPolicy: RCPT verdicts from directory resolution.
#include "server/recipient_policy.hpp"

#include <memory>

#include "core/log.hpp"
#include "directory/directory.hpp"

namespace postern::server {
namespace {

struct ThreadDirectory {
  store::sqlite::Db db;
  std::unique_ptr<directory::Directory> dir;
};

// One connection per event-loop thread, opened on first use.
directory::Directory* thread_directory(const std::string& path) {
  thread_local ThreadDirectory td;
  if (!td.dir) {
    auto db = store::sqlite::Db::open(path);
    if (!db) {
      log::error("directory_open_failed", {{"error", db.error().message}});
      return nullptr;
    }
    td.db = std::move(*db);
    td.dir = std::make_unique<directory::Directory>(td.db);
  }
  return td.dir.get();
}

}  // namespace

smtp::RecipientDecision DirectoryRecipientPolicy::check_recipient(const EmailAddress& recipient, bool authenticated) {
  using Verdict = smtp::RecipientDecision::Verdict;
  smtp::RecipientDecision d;
  auto* dir = thread_directory(database_path_);
  if (!dir) {
    d.verdict = Verdict::temporary;
    return d;
  }
  directory::Resolution res;
  auto status = dir->resolve(recipient, res);
  if (!status) {
    log::error("directory_lookup_failed", {{"error", status.error().message}});
    d.verdict = Verdict::temporary;
    return d;
  }
  switch (*status) {
    case directory::RecipientStatus::local:
      if (res.accounts.empty()) {
        // Only external alias targets: forwarding needs the outbound queue,
        // which this server does not run yet. Say so instead of losing mail.
        d.verdict = Verdict::temporary;
        d.detail = "forwarding to external addresses is not available";
        return d;
      }
      d.verdict = Verdict::accept;
      d.accounts = std::move(res.accounts);
      return d;
    case directory::RecipientStatus::unknown_user:
      d.verdict = Verdict::unknown_user;
      return d;
    case directory::RecipientStatus::not_local:
      // Relaying for authenticated users arrives with submission and the queue.
      d.verdict = authenticated ? Verdict::temporary : Verdict::relay_denied;
      return d;
  }
  return d;
}

}  // namespace postern::server
