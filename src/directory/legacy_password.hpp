// Password hashes imported from other servers (Dovecot passwd-file, a
// MySQL users table): the Dovecot "{SCHEME}" forms we accept, verified as
// they are, and replaced by our Argon2id at the next successful login
// (Directory::authenticate). Stored with their "{SCHEME}" prefix, except
// {ARGON2ID} hashes, which are already our own form.
//
//   {SHA512-CRYPT} $6$   {SHA256-CRYPT} $5$   {MD5-CRYPT} $1$
//   {BLF-CRYPT} $2y$/$2b$/$2a$ (bcrypt)   {CRYPT} any crypt(3) form, DES too
//     -> crypt_r(3) from libxcrypt, result compared in constant time
//   {SSHA512} {SSHA256}: base64(digest || salt), digest = SHA-2(password || salt)
//     -> OpenSSL, compared in constant time
//   {ARGON2ID} {ARGON2I}: PHC strings -> libargon2 (constant time inside)
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::directory {

// The stored form of an imported hash: "{SCHEME}..." as given (scheme
// upper-cased), a bare "$6$"/"$5$"/"$2y$"/"$1$"/"$argon2..." crypt string
// with its scheme added, or "$argon2id$..." for Argon2id. Errors (syntax)
// name the problem: unknown scheme, a hash that does not fit its scheme.
Result<std::string> normalize_imported_hash(std::string_view hash);

// Refuses a crypt(3)/PHC string whose cost (SHA-crypt rounds, bcrypt cost,
// yescrypt or Argon2 memory and passes) would make one login tie up a
// password thread for seconds: at import (with the reason), and again at
// verification. Fixed-cost forms (MD5-crypt, DES) pass.
Status check_hash_cost(std::string_view crypt_string);

// Verification of a stored imported ("{SCHEME}...") hash; false for
// anything malformed.
bool verify_legacy_password(std::string_view password, std::string_view stored);

// The scheme of a stored hash: "ARGON2ID" for ours, the braces' content
// for imported ones, "" when unknown.
std::string stored_hash_scheme(std::string_view stored);

}  // namespace postern::directory
