// Parsers for account lists moved in from other servers (`postern user
// import`): Dovecot passwd-file lines and a CSV export of a users table.
// Sans-I/O: text in, records or a precise error (with the line number) out.
//
// passwd-file (https://doc.dovecot.org/configuration_manual/authentication/passwd_file/):
//   user:{SCHEME}hash:uid:gid:gecos:home:shell:extra_fields
//   Only user and password are used; "userdb_quota_rule=*:storage=2G" (or
//   "quota_rule=...") in the space-separated extra fields sets the quota.
// CSV (RFC 4180, docs/operations.md): a header row naming the columns
//   address,password_hash[,aliases][,quota] in any order (other columns
//   ignored); aliases separated by spaces, ';' or ','; quota as 2G / 500M /
//   bytes, empty = unlimited.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace postern::directory {

struct ImportedUser {
  size_t line = 0;                   // 1-based, for messages
  std::string address;
  std::string password_hash;         // as in the file (normalize_imported_hash checks it)
  std::vector<std::string> aliases;
  std::optional<uint64_t> quota;     // bytes; 0 = unlimited
};

struct UserFileEntry {
  std::optional<ImportedUser> user;  // set when the line parsed
  size_t line = 0;
  std::string error;                 // why the line was not usable
};

// One entry per non-empty, non-comment line. `default_domain`, when not
// empty, completes user names without '@'.
std::vector<UserFileEntry> parse_passwd_file(std::string_view text, std::string_view default_domain = {});
// One entry per data row; an error (syntax) when the header lacks a
// required column.
Result<std::vector<UserFileEntry>> parse_user_csv(std::string_view text);

// RFC 4180 fields of one record starting at `pos` (advanced past it).
std::vector<std::string> parse_csv_record(std::string_view text, size_t& pos, bool& ok);

}  // namespace postern::directory
