// The directory: domains, accounts, aliases (receive-only, catch-all,
// plus-addressing) and send-as grants, stored in the same SQLite database as
// the mail store. Every call runs against the database, so changes made by
// the CLI are seen by a running server at its next lookup.
//
// Not thread-safe: use one Directory (on its own Db) per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/email_address.hpp"
#include "core/result.hpp"
#include "sasl/scram.hpp"
#include "store/sqlite/db.hpp"

namespace postern::directory {

struct DomainInfo {
  int64_t id = 0;
  std::string name;
  int64_t accounts = 0;
  int64_t aliases = 0;
};

struct AccountInfo {
  int64_t id = 0;
  std::string address;  // canonical: local part lower-cased (ASCII), domain lower-cased
};

struct ScramAccount {
  AccountInfo account;
  sasl::ScramCredentials credentials;
};

struct AliasInfo {
  std::string source;   // local@domain or @domain (catch-all)
  std::string target;
};

struct SendAsGrant {
  std::string address;  // the role address
  std::string account;  // the account allowed to send as it
};

// Where mail for one recipient address goes, after alias expansion.
struct Resolution {
  std::vector<int64_t> accounts;       // local accounts, deduplicated, in first-seen order
  std::vector<std::string> external;   // non-local targets of aliases (forwarding)
};

enum class RecipientStatus {
  local,          // resolved: see Resolution
  unknown_user,   // our domain, but nobody by that name (RFC 5321: 550 5.1.1)
  not_local,      // not one of our domains (relay question for the caller)
};

class Directory {
 public:
  // `db` must be migrated (store::sqlite::migrate) and outlive the Directory.
  explicit Directory(store::sqlite::Db& db) : db_(db) {}

  // Domains. Errors: syntax (invalid name), user (duplicate, unknown,
  // "domain still has N users / M aliases" on remove).
  Status add_domain(std::string_view name);
  Status remove_domain(std::string_view name);
  Result<std::vector<DomainInfo>> list_domains();
  bool is_local_domain(std::string_view domain);

  // Accounts. The password is hashed with Argon2id; the account gets the
  // default mailboxes. Errors: syntax, unknown domain, duplicate (also when
  // an alias with that address exists).
  Result<int64_t> add_user(std::string_view address, std::string_view password);
  // The checks add_user makes before hashing (syntax, domain, duplicate,
  // alias collision), so the CLI can refuse before asking for a password.
  Status check_new_user(std::string_view address);
  Status set_password(std::string_view address, std::string_view password);
  // Storage quota in octets, 0 = unlimited (RFC 9208 STORAGE via IMAP).
  Status set_quota(std::string_view address, uint64_t bytes);
  // The SCRAM-SHA-256 keys of an account (nullopt: no such account, or its
  // password was set before SCRAM keys were kept).
  Result<std::optional<ScramAccount>> scram_credentials(std::string_view address);
  // True when the account's mail already fills its quota.
  Result<bool> over_quota(int64_t account_id);
  Status remove_user(std::string_view address);   // removes its mail too
  Result<std::vector<AccountInfo>> list_users(std::optional<std::string_view> domain = std::nullopt);
  Result<std::optional<AccountInfo>> find_user(std::string_view address);
  // Checks the password in constant time. Returns the account when it
  // matches. A match against an imported hash (legacy_password.hpp), or an
  // account without SCRAM keys, has its hash replaced by Argon2id and its
  // SCRAM keys set (a failure to do so is logged; the login still succeeds).
  Result<std::optional<AccountInfo>> authenticate(std::string_view address, std::string_view password);

  // An account moved in from another server: its password hash as that
  // server stored it (normalize_imported_hash), verified as it is until the
  // first login upgrades it. Same errors as add_user, plus syntax errors
  // for a hash we cannot verify.
  Result<int64_t> add_user_with_hash(std::string_view address, std::string_view hash);
  // The scheme of the account's stored hash: "ARGON2ID" for ours, the
  // imported scheme ("SHA512-CRYPT", ...) until the first login.
  Result<std::string> password_scheme(std::string_view address);

  // Aliases. `source` is local@domain or @domain (catch-all); the domain must
  // be ours. Targets may be local or external; each must be a valid address.
  Status add_alias(std::string_view source, const std::vector<std::string>& targets);
  // Removes one target, or every target of `source` when `target` is empty.
  Status remove_alias(std::string_view source, std::string_view target = {});
  Result<std::vector<AliasInfo>> list_aliases(std::optional<std::string_view> domain = std::nullopt);

  // Send-as grants for role addresses (enforced by submission).
  Status grant_sendas(std::string_view address, std::string_view account);
  Status revoke_sendas(std::string_view address, std::string_view account);
  Result<std::vector<SendAsGrant>> list_sendas(std::optional<std::string_view> address = std::nullopt);
  Result<bool> may_send_as(int64_t account_id, std::string_view address);

  // Recipient resolution, in this order: an account, an alias, the same two
  // with a "+tag" suffix removed from the local part, then the catch-all of
  // the domain. Alias targets are expanded recursively (depth <= 10, loops
  // ignored). Lookups are case-insensitive for ASCII.
  Result<RecipientStatus> resolve(const EmailAddress& address, Resolution& out);

 private:
  // After a successful login: Argon2id and SCRAM keys for an account that
  // has an imported hash or no SCRAM keys yet.
  void upgrade_password(int64_t id, const std::string& stored, std::string_view password);

  store::sqlite::Db& db_;
};

// The form the directory stores and compares: `local@domain` with ASCII
// letters lower-cased in both parts (for messages and the CLI). Errors:
// syntax, naming the address and the parser's reason.
Result<std::string> canonical_address(std::string_view address);

// Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
Result<std::string> hash_password(std::string_view password);
// Constant-time verification of `password` against a PHC string.
bool verify_password(std::string_view password, std::string_view encoded);
// Lowers the Argon2id cost to the library minimum for hashes made from now
// on (unit tests only; see password.cpp, also POSTERN_ARGON2_TEST_COST=1).
void set_password_cost_for_tests(bool cheap);

}  // namespace postern::directory
