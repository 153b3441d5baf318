// Sequence number <-> UID bookkeeping for the selected mailbox.
#include "imap/session/selected_mailbox.hpp"

#include <algorithm>

namespace postern::imap {

std::optional<uint32_t> SelectedMailbox::seq_of(uint32_t uid) const {
  size_t i = rows.lower_bound(uid);
  if (i == rows.size() || rows[i].uid != uid) return std::nullopt;
  return static_cast<uint32_t>(i) + 1;
}

const store::MessageRow* SelectedMailbox::find(uint32_t uid) const {
  size_t i = rows.lower_bound(uid);
  if (i == rows.size() || rows[i].uid != uid) return nullptr;
  return &rows[i];
}

store::MessageRow* SelectedMailbox::row_by_uid(uint32_t uid) {
  size_t i = rows.lower_bound(uid);
  if (i == rows.size() || rows[i].uid != uid) return nullptr;
  return &rows.mutable_at(i);
}

std::vector<uint32_t> SelectedMailbox::resolve_saved() const {
  std::vector<uint32_t> out;
  for (uint32_t uid : saved_uids)
    if (auto seq = seq_of(uid)) out.push_back(*seq);
  return out;  // ascending: UIDs and sequence numbers grow together
}

Result<std::vector<uint32_t>> SelectedMailbox::resolve_seq(const SequenceSet& set) const {
  std::vector<uint32_t> out;
  if (set.saved) return resolve_saved();
  for (auto [first, last] : set.resolve(exists())) {
    if (last > exists() || first == 0) return Error{syntax_error("Invalid message sequence number")};
    for (uint32_t n = first; n <= last; ++n) out.push_back(n);
  }
  return out;
}

std::vector<uint32_t> SelectedMailbox::resolve_uid(const SequenceSet& set) const {
  if (set.saved) return resolve_saved();
  std::vector<uint32_t> out;
  if (rows.empty()) return out;
  // RFC 9051 §6.4.9: "*" is the largest UID in use; "n:*" with n above it
  // still selects that message.
  for (auto [first, last] : set.resolve(max_uid())) {
    for (size_t i = rows.lower_bound(first); i < rows.size() && rows[i].uid <= last; ++i)
      out.push_back(static_cast<uint32_t>(i) + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<uint32_t>> SelectedMailbox::resolve(const SequenceSet& set, bool uid) const {
  if (uid) return resolve_uid(set);
  return resolve_seq(set);
}

std::optional<uint32_t> SelectedMailbox::remove(uint32_t uid) {
  size_t i = rows.lower_bound(uid);
  if (i == rows.size() || rows[i].uid != uid) return std::nullopt;
  auto seq = static_cast<uint32_t>(i) + 1;
  rows.erase_at(i);
  std::erase(pending_expunges, uid);
  return seq;
}

std::string format_number_set(const std::vector<uint32_t>& sorted) {
  std::string out;
  size_t i = 0;
  while (i < sorted.size()) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(sorted[i]);
    if (j > i) out += ':' + std::to_string(sorted[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace postern::imap
