// Hands on the DSNs the outbound queue owes (RFC 3464): a local sender gets
// the report in its INBOX through the mail store; a remote sender gets it
// through the queue itself with the null reverse-path, so a bounce can never
// bounce (RFC 5321 §6.1). Null-sender messages and DSNs never cause one.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "core/result.hpp"
#include "queue/outbound_queue.hpp"
#include "store/mail_store.hpp"

namespace postern::queue {

// What one dispatch() pass did.
struct DsnPass {
  int sent = 0;      // DSNs handed on (delivered locally or queued)
  int deferred = 0;  // could not be handed on now: still owed, try again later
};

class DsnDispatcher {
 public:
  // `database_path` is postern.db (for the directory); `hostname` names us
  // in the report (Reporting-MTA, MAILER-DAEMON@).
  DsnDispatcher(OutboundQueue& queue, store::MailStore& store, std::string database_path, std::string hostname)
      : queue_(queue), store_(store), database_path_(std::move(database_path)), hostname_(std::move(hostname)) {}

  // Sends every notice pending at `now`. Blocking (directory, store,
  // queue): call from a worker thread. A notice is marked sent only after
  // its DSN is durable, so a crash repeats a DSN rather than losing it; one
  // that could not be sent stays owed (DsnPass::deferred) for a later pass.
  Result<DsnPass> dispatch(int64_t now);

 private:
  Status send_one(const Notice& notice, int64_t now);

  std::mutex mu_;  // one pass at a time, so two threads never send the same DSN
  OutboundQueue& queue_;
  store::MailStore& store_;
  std::string database_path_;
  std::string hostname_;
};

}  // namespace postern::queue
