// The compact per-session view of the selected mailbox (DESIGN.md: views are
// compact arrays; here shared between sessions, message_view.hpp): rows sorted by UID, so that sequence number n is
// rows[n-1] (RFC 9051 §2.3.1.2), plus expunges seen in the store but not yet
// announced to the client (RFC 9051 §7.5.1 forbids EXPUNGE during FETCH,
// STORE and SEARCH, so the row keeps its sequence number until then). Plain
// data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imap/proto/sequence_set.hpp"
#include "imap/session/message_view.hpp"
#include "store/mail_store.hpp"

namespace postern::imap {

class SelectedMailbox {
 public:
  int64_t id = 0;
  std::string name;  // store (UTF-8) form
  bool read_only = false;
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  int64_t highest_modseq_seen = 0;  // baseline for MailAccess::changes_since
  MessageView rows;  // ascending UID
  std::vector<uint32_t> pending_expunges;  // UIDs expunged in the store, still in `rows`
  // RFC 5182 "$": the messages SEARCH RETURN (SAVE) kept, as UIDs
  // (ascending), so expunged ones drop out; empty on SELECT/EXAMINE.
  std::vector<uint32_t> saved_uids;

  uint32_t exists() const { return static_cast<uint32_t>(rows.size()); }
  uint32_t max_uid() const { return rows.empty() ? 0 : rows.back().uid; }
  // 1-based sequence number of `uid`, or nullopt.
  std::optional<uint32_t> seq_of(uint32_t uid) const;
  const store::MessageRow* find(uint32_t uid) const;
  // The row to change (the session's own copy of it); nullptr if absent.
  store::MessageRow* row_by_uid(uint32_t uid);

  // Sequence numbers (ascending) selected by `set`. A sequence number above
  // EXISTS is an error (RFC 9051 §6.4.5: the client must not use it), except
  // that "*" on an empty mailbox selects nothing. "$" selects the saved
  // messages still in the view (RFC 5182 §2.1), with or without UID.
  Result<std::vector<uint32_t>> resolve_seq(const SequenceSet& set) const;
  // Sequence numbers of the UIDs in `set` that exist (RFC 9051 §6.4.9: absent
  // UIDs are ignored; "n:*" always includes the highest UID).
  std::vector<uint32_t> resolve_uid(const SequenceSet& set) const;
  // Either of the above.
  Result<std::vector<uint32_t>> resolve(const SequenceSet& set, bool uid) const;

  // Sequence numbers of the saved messages ("$") still in the view.
  std::vector<uint32_t> resolve_saved() const;

  // Removes `uid`; returns its former sequence number (for "* n EXPUNGE").
  std::optional<uint32_t> remove(uint32_t uid);
};

// "1:3,5,9:10" from ascending numbers (COPYUID, MODIFIED, ESEARCH).
std::string format_number_set(const std::vector<uint32_t>& sorted);

}  // namespace postern::imap
