// ChangeNotifier: callbacks are copied out under the lock and invoked
// outside it, so a callback may subscribe or unsubscribe without deadlock.
#include "store/change_notifier.hpp"

#include <algorithm>

namespace postern::store {

ChangeNotifier::Subscription::~Subscription() { reset(); }

void ChangeNotifier::Subscription::reset() {
  if (owner_) owner_->unsubscribe(account_, id_);
  owner_ = nullptr;
}

ChangeNotifier::Subscription ChangeNotifier::subscribe(int64_t account_id, Callback cb) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  subs_[account_id].push_back({id, std::make_shared<Callback>(std::move(cb))});
  return Subscription(this, account_id, id);
}

void ChangeNotifier::unsubscribe(int64_t account_id, uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(account_id);
  if (it == subs_.end()) return;
  auto& v = it->second;
  v.erase(std::remove_if(v.begin(), v.end(), [id](const Entry& e) { return e.id == id; }), v.end());
  if (v.empty()) subs_.erase(it);
}

void ChangeNotifier::publish(int64_t account_id, int64_t modseq) {
  std::vector<std::shared_ptr<Callback>> targets;
  {
    std::lock_guard lock(mu_);
    auto it = subs_.find(account_id);
    if (it == subs_.end()) return;
    for (const auto& e : it->second) targets.push_back(e.cb);
  }
  for (const auto& cb : targets) (*cb)(account_id, modseq);
}

}  // namespace postern::store
