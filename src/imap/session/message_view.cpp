// A session's rows over a shared mailbox snapshot (see message_view.hpp).
#include "imap/session/message_view.hpp"

#include <algorithm>

namespace postern::imap {

MessageView::MessageView(store::MailboxView base)
    : base_(std::move(base)), base_size_(base_ ? base_->rows.size() : 0) {}

size_t MessageView::base_index(size_t i) const {
  if (removed_.empty()) return i;
  // The snapshot index j of visible row i satisfies j = i + #{removed <= j}.
  // removed_[m] - m never decreases, so the first m with removed_[m] - m > i
  // is the number of removed rows before j.
  size_t lo = 0, hi = removed_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (removed_[mid] - mid > i) hi = mid;
    else lo = mid + 1;
  }
  return i + lo;
}

const store::MessageRow& MessageView::operator[](size_t i) const {
  size_t shared = base_size_ - removed_.size();
  if (i >= shared) return tail_[i - shared];
  size_t j = base_index(i);
  if (!changed_.empty()) {
    auto it = changed_.find(j);
    if (it != changed_.end()) return it->second;
  }
  return base_->rows[j];
}

store::MessageRow& MessageView::mutable_at(size_t i) {
  size_t shared = base_size_ - removed_.size();
  if (i >= shared) return tail_[i - shared];
  if (changed_.size() >= difference_budget()) {
    take_private_copy();
    return tail_[i];
  }
  size_t j = base_index(i);
  return changed_.try_emplace(j, base_->rows[j]).first->second;
}

void MessageView::erase_at(size_t i) {
  size_t shared = base_size_ - removed_.size();
  if (i >= shared) {
    tail_.erase(tail_.begin() + static_cast<std::ptrdiff_t>(i - shared));
    return;
  }
  if (removed_.size() >= difference_budget()) {
    take_private_copy();
    tail_.erase(tail_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
  size_t j = base_index(i);
  changed_.erase(j);
  removed_.insert(std::lower_bound(removed_.begin(), removed_.end(), j), j);
}

size_t MessageView::lower_bound(uint32_t uid) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if ((*this)[mid].uid < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void MessageView::take_private_copy() {
  std::vector<store::MessageRow> rows;
  rows.reserve(size());
  for (size_t i = 0; i < size(); ++i) rows.push_back((*this)[i]);
  base_.reset();
  base_size_ = 0;
  removed_.clear();
  changed_.clear();
  tail_ = std::move(rows);
}

}  // namespace postern::imap
