// Maildrop snapshot bookkeeping: numbering, deletion marks, UIDL strings.
#include "pop3/maildrop.hpp"

#include <cstdio>

namespace postern::pop3 {

std::string unique_id(uint32_t uidvalidity, uint32_t uid) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08X%08X", uidvalidity, uid);
  return buf;
}

Maildrop::Maildrop(MaildropSnapshot snapshot) : snapshot_(std::move(snapshot)) {
  deleted_.assign(snapshot_.messages.size(), false);
  for (const auto& m : snapshot_.messages) all_octets_ += m.size;
  octets_ = all_octets_;
}

const MaildropMessage* Maildrop::find(uint32_t n) const {
  if (!exists(n) || deleted(n)) return nullptr;
  return &at(n);
}

void Maildrop::mark_deleted(uint32_t n) {
  if (!exists(n) || deleted_[n - 1]) return;
  deleted_[n - 1] = true;
  ++deleted_count_;
  octets_ -= at(n).size;
}

void Maildrop::reset() {
  deleted_.assign(snapshot_.messages.size(), false);
  deleted_count_ = 0;
  octets_ = all_octets_;
}

std::vector<uint32_t> Maildrop::deleted_uids() const {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < deleted_.size(); ++i)
    if (deleted_[i]) out.push_back(snapshot_.messages[i].uid);
  return out;
}

}  // namespace postern::pop3
