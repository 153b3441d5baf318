// Blocking forms of the MailStore's asynchronous writes, for the CLI's
// import and export (never for event-loop threads): each call waits until
// the committer has committed (or refused) the write.
#pragma once

#include <future>
#include <string>
#include <vector>

#include "store/mail_store.hpp"

namespace postern::transfer {

inline Result<int64_t> create_mailbox_sync(store::MailStore& s, int64_t account, std::string name,
                                           std::string special_use) {
  std::promise<Result<int64_t>> p;
  auto f = p.get_future();
  s.create_mailbox(account, std::move(name), std::move(special_use), [&p](Result<int64_t> r) { p.set_value(std::move(r)); });
  return f.get();
}

inline Result<std::vector<store::DeliveryReceipt>> deliver_all_sync(store::MailStore& s,
                                                                    std::vector<store::Delivery> ds) {
  std::promise<Result<std::vector<store::DeliveryReceipt>>> p;
  auto f = p.get_future();
  s.deliver_all(std::move(ds), [&p](Result<std::vector<store::DeliveryReceipt>> r) { p.set_value(std::move(r)); });
  return f.get();
}

inline Status set_subscribed_sync(store::MailStore& s, int64_t account, std::string name, bool subscribed) {
  std::promise<Status> p;
  auto f = p.get_future();
  s.set_subscribed(account, std::move(name), subscribed, [&p](Status r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace postern::transfer
