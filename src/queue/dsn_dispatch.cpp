// DSN routing: local INBOX or the queue; see dsn_dispatch.hpp.
#include "queue/dsn_dispatch.hpp"

#include <future>

#include "core/email_address.hpp"
#include "core/log.hpp"
#include "delivery/local_delivery.hpp"
#include "directory/thread_directory.hpp"
#include "queue/dsn.hpp"

namespace postern::queue {

Result<DsnPass> DsnDispatcher::dispatch(int64_t now) {
  std::lock_guard lock(mu_);
  auto notices = queue_.pending_notices(now);
  if (!notices) return notices.error();
  DsnPass pass;
  for (const auto& n : *notices) {
    if (n.silent) {
      if (auto s = queue_.notice_sent(n); !s) return s.error();
      continue;
    }
    if (auto s = send_one(n, now); !s) {
      log::warn("dsn_failed", {{"queue_id", n.message_id}, {"error", s.error().message}});
      ++pass.deferred;
      continue;  // stays owed; retried at the next pass
    }
    if (auto s = queue_.notice_sent(n); !s) return s.error();
    ++pass.sent;
  }
  return pass;
}

Status DsnDispatcher::send_one(const Notice& n, int64_t now) {
  auto original = queue_.read_content(n.blob_hash);
  if (!original) return original.error();
  DsnInput in;
  in.reporting_mta = hostname_;
  in.sender = n.sender;
  in.arrival = n.created_at;
  in.now = now;
  in.original = std::move(*original);
  in.boundary_seed = std::to_string(n.message_id) + "." + std::to_string(now);
  for (const auto& r : n.failed)
    in.recipients.push_back({r.address, DsnAction::failed, r.enhanced.empty() ? "5.0.0" : r.enhanced, r.last_reply,
                             r.last_attempt, 0});
  for (const auto& r : n.delayed)
    in.recipients.push_back({r.address, DsnAction::delayed, r.enhanced.empty() ? "4.0.0" : r.enhanced, r.last_reply,
                             r.last_attempt, 0});
  std::string dsn = build_dsn(in);

  auto sender = parse_email_address(n.sender);
  if (!sender) return user_error("unparsable sender " + n.sender);
  auto dir = directory::thread_directory(database_path_);
  if (!dir) return dir.error();
  directory::Resolution res;
  auto status = (*dir)->resolve(*sender, res);
  if (!status) return status.error();
  if (*status == directory::RecipientStatus::unknown_user) {
    // Our domain, but nobody by that name any more: nobody to tell.
    log::warn("dsn_dropped", {{"queue_id", n.message_id}, {"sender", n.sender}, {"reason", "unknown local sender"}});
    return Ok{};
  }
  if (*status == directory::RecipientStatus::not_local || res.accounts.empty()) {
    NewMessage m{"", {n.sender}, std::move(dsn), true};
    auto id = queue_.enqueue(m, now);
    if (!id) return id.error();
    log::info("dsn_queued", {{"queue_id", n.message_id}, {"dsn_queue_id", *id}, {"to", n.sender}});
    return Ok{};
  }
  delivery::LocalMessage lm{dsn, "", res.accounts, now};
  std::promise<Result<store::DeliveryReceipt>> done;
  auto fut = done.get_future();
  store_.deliver(delivery::prepare_local_delivery(std::move(lm)),
                 [&done](Result<store::DeliveryReceipt> r) { done.set_value(std::move(r)); });
  auto receipt = fut.get();
  if (!receipt) return receipt.error();
  log::info("dsn_delivered", {{"queue_id", n.message_id}, {"to", n.sender}});
  return Ok{};
}

}  // namespace postern::queue
