// Reading connections handed out one caller at a time (see read_pool.hpp).
#include "store/sqlite/read_pool.hpp"

namespace postern::store::sqlite {

ReadPool::ReadPool(std::string path, unsigned max_connections, int64_t mmap_bytes)
    : path_(std::move(path)), max_(max_connections ? max_connections : 1), mmap_bytes_(mmap_bytes) {}

ReadPool::Lease::~Lease() {
  if (pool_ && db_) pool_->release(std::move(db_));
}

Result<std::unique_ptr<Db>> ReadPool::open_one() const {
  auto db = Db::open(path_);
  if (!db) return db.error();
  if (mmap_bytes_ > 0) {
    if (auto s = db->exec("PRAGMA mmap_size=" + std::to_string(mmap_bytes_)); !s) return s.error();
  }
  return std::make_unique<Db>(std::move(*db));
}

Result<ReadPool::Lease> ReadPool::acquire() {
  std::unique_lock lock(mu_);
  freed_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(db));
  }
  ++open_;  // reserved before opening, so concurrent callers respect the cap
  lock.unlock();
  auto db = open_one();
  if (!db) {
    lock.lock();
    --open_;
    freed_.notify_one();
    return db.error();
  }
  return Lease(this, std::move(*db));
}

void ReadPool::release(std::unique_ptr<Db> db) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(db));
  }
  freed_.notify_one();
}

unsigned ReadPool::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace postern::store::sqlite
