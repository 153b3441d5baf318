// LIST and LSUB arguments (RFC 9051 §6.3.9; extended LIST RFC 5258 §3;
// SPECIAL-USE RFC 6154; LIST-STATUS RFC 5819). Mailbox names and patterns
// are returned in wire form: convert with mailbox_from_wire (mutf7.hpp).
// Parses untrusted input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"
#include "imap/proto/status_args.hpp"

namespace postern::imap {

enum ListSelect : uint8_t {
  kSelectSubscribed = 1, kSelectRemote = 2, kSelectRecursiveMatch = 4, kSelectSpecialUse = 8,
};
enum ListReturn : uint8_t {
  kReturnSubscribed = 1, kReturnChildren = 2, kReturnSpecialUse = 4, kReturnStatus = 8,
};

struct ListArgs {
  bool extended = false;  // selection options, a pattern list or RETURN were used (RFC 5258 §3)
  uint8_t selection = 0;  // ListSelect bits
  std::string reference;
  std::vector<std::string> patterns;  // at least one; "" asks for the hierarchy delimiter
  uint8_t returns = 0;                // ListReturn bits
  std::vector<StatusItem> status_items;  // RETURN (STATUS (...)), RFC 5819
};

// `args` follow "LIST": [(selection)] reference (pattern | (patterns)) [RETURN (options)].
// Unknown selection or return options are BAD (RFC 5258 §3); RECURSIVEMATCH
// alone is BAD (RFC 5258 §3.1).
Result<ListArgs> parse_list(std::span<const Node> args);

// `args` follow "LSUB" (rev1 only): reference pattern.
Result<ListArgs> parse_lsub(std::span<const Node> args);

}  // namespace postern::imap
