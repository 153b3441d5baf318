// The rows of a selected mailbox as one session sees them (sequence number
// n is row n-1), sharing the store's snapshot of the mailbox with every
// other session that selected it (store::MailboxView) and recording only
// this session's differences: rows changed (flags, MODSEQ), rows removed
// (expunges announced to this client), rows appended (new mail). A SELECT
// of a 100,000-message mailbox thus copies nothing, and a session costs a
// few bytes until it diverges; past a bounded number of differences the
// session takes a private copy. Plain data, no I/O, not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "store/mail_store.hpp"

namespace postern::imap {

class MessageView {
 public:
  MessageView() = default;
  // `base` in ascending UID order; null is an empty view.
  explicit MessageView(store::MailboxView base);

  size_t size() const { return base_size_ - removed_.size() + tail_.size(); }
  bool empty() const { return size() == 0; }
  // Row i (0-based; sequence number i + 1).
  const store::MessageRow& operator[](size_t i) const;
  const store::MessageRow& back() const { return (*this)[size() - 1]; }

  // Row i for changing its flags, MODSEQ or message id (not its UID).
  store::MessageRow& mutable_at(size_t i);
  // Appends a row whose UID is above every other.
  void push_back(store::MessageRow row) { tail_.push_back(std::move(row)); }
  void erase_at(size_t i);

  // Index of the row with `uid`, or of the first row above it (size() if none).
  size_t lower_bound(uint32_t uid) const;

  class const_iterator {
   public:
    const_iterator(const MessageView* v, size_t i) : v_(v), i_(i) {}
    const store::MessageRow& operator*() const { return (*v_)[i_]; }
    const store::MessageRow* operator->() const { return &(*v_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const MessageView* v_;
    size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  // Whether the rows are still shared (for tests and the memory figures).
  bool shares_snapshot() const { return base_ != nullptr; }

 private:
  // Index into the snapshot of the visible row i < size() - tail_.size().
  size_t base_index(size_t i) const;
  // Gives up the snapshot: every row into tail_.
  void take_private_copy();
  // Differences past which a private copy is cheaper to keep.
  size_t difference_budget() const { return base_size_ / 16 + 64; }

  store::MailboxView base_;
  size_t base_size_ = 0;
  std::vector<size_t> removed_;                                // snapshot indexes, ascending
  std::unordered_map<size_t, store::MessageRow> changed_;      // by snapshot index
  std::vector<store::MessageRow> tail_;                        // after the snapshot's rows
};

}  // namespace postern::imap
