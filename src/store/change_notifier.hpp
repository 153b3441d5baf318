// In-process change notifications per account: the committer publishes the
// account's new MODSEQ after each commit; sessions (IMAP IDLE) subscribe.
// Callbacks run on the publishing thread and must only hand off (post to
// their own executor), never block.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace postern::store {

class ChangeNotifier {
 public:
  using Callback = std::function<void(int64_t account_id, int64_t modseq)>;

  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& o) noexcept : owner_(o.owner_), account_(o.account_), id_(o.id_) { o.owner_ = nullptr; }
    Subscription& operator=(Subscription&& o) noexcept {
      if (this != &o) {
        reset();
        owner_ = o.owner_;
        account_ = o.account_;
        id_ = o.id_;
        o.owner_ = nullptr;  // the moved-from handle must not unsubscribe
      }
      return *this;
    }
    ~Subscription();
    void reset();

   private:
    friend class ChangeNotifier;
    Subscription(ChangeNotifier* n, int64_t account, uint64_t id) : owner_(n), account_(account), id_(id) {}
    ChangeNotifier* owner_ = nullptr;
    int64_t account_ = 0;
    uint64_t id_ = 0;
  };

  // The callback stays registered until the Subscription is destroyed.
  // The notifier must outlive its subscriptions.
  [[nodiscard]] Subscription subscribe(int64_t account_id, Callback cb);
  void publish(int64_t account_id, int64_t modseq);

 private:
  void unsubscribe(int64_t account_id, uint64_t id);

  struct Entry {
    uint64_t id;
    std::shared_ptr<Callback> cb;
  };
  std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<int64_t, std::vector<Entry>> subs_;
};

}  // namespace postern::store
