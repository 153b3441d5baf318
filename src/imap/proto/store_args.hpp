// STORE arguments (RFC 9051 §6.4.6; UNCHANGEDSINCE from RFC 7162 §3.1.3).
// Parses untrusted input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"
#include "imap/proto/sequence_set.hpp"

namespace postern::imap {

enum class StoreMode { replace, add, remove };  // FLAGS, +FLAGS, -FLAGS

struct StoreArgs {
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;  // RFC 7162 mod-sequence-valzer (0 allowed)
  StoreMode mode = StoreMode::replace;
  bool silent = false;                      // .SILENT
  std::vector<std::string> flags;           // see flags.hpp; may be empty ("FLAGS ()" clears)
};

// `args` follow "STORE": set [(UNCHANGEDSINCE n)] (+|-)FLAGS[.SILENT] (flag-list | flag *(SP flag)).
Result<StoreArgs> parse_store(std::span<const Node> args);

}  // namespace postern::imap
