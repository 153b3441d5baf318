// IMAP flags and keywords as the store keeps them: a canonical,
// space-separated, sorted set. System flags are spelled as RFC 9051 §2.3.2
// does; keywords keep their case but compare case-insensitively, as IMAP
// atoms do. \Recent is never stored (DESIGN.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/mail_store.hpp"

namespace postern::store {

// Canonical form of a list of flags (duplicates and \Recent removed).
std::string canonical_flags(const std::vector<std::string>& flags);
std::vector<std::string> split_flags(std::string_view canonical);
bool has_flag(std::string_view canonical, std::string_view flag);
// Applies `op` with `flags` to `current` (canonical) and returns the result.
std::string apply_flags(std::string_view current, FlagOp op, const std::vector<std::string>& flags);

}  // namespace postern::store
