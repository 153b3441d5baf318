// Arguments of the mailbox commands: SELECT/EXAMINE with CONDSTORE and
// QRESYNC parameters (RFC 9051 §6.3.2; RFC 7162 §3.1.8, §3.2.5), APPEND and
// MULTIAPPEND (RFC 9051 §6.3.12; RFC 3502; literal8 RFC 3516 §4.4), COPY/MOVE
// (RFC 9051 §6.4.7, RFC 6851), RENAME, and the one-mailbox commands
// (CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE). Mailbox names are returned in
// wire form: convert with mailbox_from_wire (mutf7.hpp). Parses untrusted input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/datetime.hpp"
#include "imap/proto/parse_tree.hpp"
#include "imap/proto/sequence_set.hpp"

namespace postern::imap {

struct QresyncParams {
  uint32_t uidvalidity = 0;               // nz-number
  uint64_t modseq = 0;                    // mod-sequence-value (>= 1)
  std::optional<SequenceSet> known_uids;  // no "*" or "$"
  // seq-match-data: (known-sequence-set known-uid-set), no "*" or "$"
  std::optional<std::pair<SequenceSet, SequenceSet>> seq_match;
};

struct SelectArgs {
  std::string mailbox;
  bool condstore = false;                // CONDSTORE parameter (RFC 7162 §3.1.8)
  std::optional<QresyncParams> qresync;  // RFC 7162 §3.2.5; the handler checks QRESYNC was enabled
};

// `args` follow "SELECT"/"EXAMINE": mailbox [(params)].
Result<SelectArgs> parse_select(std::span<const Node> args);

struct AppendMessage {
  std::vector<std::string> flags;            // see flags.hpp
  std::optional<DateTime> internal_date;
  std::string_view data;                     // views the Command's literal: valid while it lives
  bool binary = false;                       // sent as literal8 ~{n}: may hold NUL (RFC 3516 §4.4)
};

struct AppendArgs {
  std::string mailbox;
  std::vector<AppendMessage> messages;  // more than one is MULTIAPPEND (RFC 3502)
};

// `args` follow "APPEND": mailbox 1*([flag-list] [date-time] literal).
// `max_messages`: 1 unless MULTIAPPEND is advertised.
Result<AppendArgs> parse_append(std::span<const Node> args, size_t max_messages = 1);

struct CopyArgs {
  SequenceSet set;
  std::string mailbox;
};
// `args` follow "COPY" or "MOVE": sequence-set mailbox.
Result<CopyArgs> parse_copy(std::span<const Node> args);

// `args` follow DELETE, SUBSCRIBE, UNSUBSCRIBE: exactly one mailbox.
Result<std::string> parse_single_mailbox(std::span<const Node> args);

struct CreateArgs {
  std::string mailbox;
  std::vector<std::string> use;  // RFC 6154 §3 USE attributes as sent ("\\Sent")
};
// `args` follow CREATE: mailbox [SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"]
// (RFC 6154 §3, RFC 4466 create-params).
Result<CreateArgs> parse_create(std::span<const Node> args);

// `args` follow RENAME: existing new.
Result<std::pair<std::string, std::string>> parse_rename(std::span<const Node> args);

}  // namespace postern::imap
