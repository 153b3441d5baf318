// DirectoryRecipientPolicy: RCPT verdicts from directory resolution.
#include "server/recipient_policy.hpp"

#include "core/log.hpp"
#include "core/strings.hpp"
#include "directory/thread_directory.hpp"

namespace postern::server {

smtp::RecipientDecision DirectoryRecipientPolicy::check_recipient(const EmailAddress& recipient, bool authenticated) {
  using Verdict = smtp::RecipientDecision::Verdict;
  smtp::RecipientDecision d;
  auto dir = directory::thread_directory(database_path_);
  if (!dir) {
    log::error("directory_open_failed", {{"error", dir.error().message}});
    d.verdict = Verdict::temporary;
    return d;
  }
  directory::Resolution res;
  auto status = (*dir)->resolve(recipient, res);
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
      if (!res.external.empty()) {
        // Until the outbound queue exists the external targets of an alias
        // are not served: say so in the log rather than silently.
        log::warn("forwarding_unavailable", {{"recipient", recipient.str()}, {"external_targets", res.external.size()}});
      }
      // A recipient whose every mailbox is full is refused at RCPT, before
      // the data is sent; an alias that still reaches someone is accepted.
      {
        size_t full = 0;
        for (int64_t account : res.accounts) {
          auto over = (*dir)->over_quota(account);
          if (over && *over) ++full;
        }
        if (full == res.accounts.size()) {
          log::info("recipient_over_quota", {{"recipient", recipient.str()}});
          d.verdict = Verdict::mailbox_full;
          return d;
        }
      }
      d.verdict = Verdict::accept;
      d.accounts = std::move(res.accounts);
      return d;
    case directory::RecipientStatus::unknown_user:
      d.verdict = Verdict::unknown_user;
      return d;
    case directory::RecipientStatus::not_local:
      // Authenticated users relay through the outbound queue: accepted with
      // no local account; the connection hands such recipients to the queue.
      d.verdict = authenticated ? Verdict::accept : Verdict::relay_denied;
      return d;
  }
  return d;
}

bool DirectoryRecipientPolicy::may_send_as(int64_t account_id, const EmailAddress& address) {
  auto dir = directory::thread_directory(database_path_);
  if (!dir) return false;
  auto allowed = (*dir)->may_send_as(account_id, address.str());
  return allowed && *allowed;
}

bool DirectoryRecipientPolicy::is_local_domain(std::string_view domain) {
  auto dir = directory::thread_directory(database_path_);
  if (!dir) return false;
  auto domains = (*dir)->list_domains();
  if (!domains) return false;
  for (const auto& d : *domains)
    if (iequals(d.name, domain)) return true;
  return false;
}

}  // namespace postern::server
