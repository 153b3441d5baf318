// Helpers shared by the directory's implementation files (not a public
// interface): canonical address forms, error messages used in several
// places, and small SQL lookups. Every canonical form is what the tables
// store, so lookups are plain `=` comparisons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/email_address.hpp"
#include "core/result.hpp"
#include "store/sqlite/db.hpp"

namespace postern::directory::detail {

// `local@domain` with the domain (parse_email_address already did it) and
// the ASCII letters of the local part lower-cased. Non-ASCII octets are kept
// as they are: there is no locale-independent case folding for them that
// every client agrees on, so UTF-8 local parts match exactly.
std::string canonical(const EmailAddress& address);

// Parses `text` and returns its canonical form; a syntax error names the
// address and the parser's reason.
Result<EmailAddress> parse_address(std::string_view text);
Result<std::string> parse_domain_name(std::string_view text);

// `user+tag@domain` -> `user@domain`; nullopt when there is no usable
// "+tag" (none, a leading '+', or a quoted local part).
std::optional<std::string> without_plus_tag(std::string_view canonical_address);

Error unknown_domain_error(std::string_view domain);
Error unknown_user_error(std::string_view address);

// Row ids, nullopt when absent; errors only for database failures.
Result<std::optional<int64_t>> find_domain_id(store::sqlite::Db& db, std::string_view domain);

// For list commands with an optional DOMAIN argument: nullopt without one;
// the domain's id when it exists; an "unknown domain" error otherwise.
Result<std::optional<int64_t>> domain_filter(store::sqlite::Db& db, std::optional<std::string_view> domain);
Result<std::optional<int64_t>> find_account_id(store::sqlite::Db& db, std::string_view canonical_address);
Result<bool> alias_source_exists(store::sqlite::Db& db, std::string_view canonical_source);

// Unix seconds, for created_at columns.
int64_t now_seconds();

}  // namespace postern::directory::detail

namespace postern::directory::detail {
// A valid Argon2id hash with the current cost that no password matches.
std::string dummy_password_hash();
}  // namespace postern::directory::detail
