// Where DKIM private keys live: files under <data_dir>/dkim/, one directory
// per signing domain.
//
//   dkim/<domain>/<selector>.key   PEM (PKCS#8), mode 0600, never rewritten
//   dkim/<domain>/active           the selectors in use, one per line
//                                  (at most one per key type)
//
// Files rather than a database table: the key file is the one source of
// truth (nothing to get out of step), it is backed up with the data
// directory, and `postern dkim` works whether or not the server runs. Files
// are written to a temporary name, fsynced and renamed, so a crash leaves
// the old or the new state. Not thread-safe for writers (the CLI); readers
// (the server's signer) may run concurrently with a writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mailauth/dkim_key.hpp"

namespace postern::mailauth {

struct StoredKey {
  std::string domain;
  std::string selector;
  KeyType type = KeyType::rsa;
  unsigned bits = 0;
  bool active = false;
  int64_t created = 0;  // unix seconds (the key file's modification time)
  std::string path;
};

struct ActiveKey {
  std::string selector;
  PrivateKey key;
};

// Selectors are DNS labels: [a-z0-9-] (not starting or ending with '-'),
// 1..63 octets, optionally several joined by dots. Lower-cased on success.
Result<std::string> parse_selector(std::string_view text);

class KeyStore {
 public:
  explicit KeyStore(std::string data_dir);

  // Creates a key for `domain` under `selector` (default: "<type>-YYYYMMDD"
  // from `now`, with "-2", "-3", ... if taken). The key becomes active when
  // the domain has no active key of that type yet; otherwise it waits for
  // activate() so that the new record can be published first. Errors:
  // syntax (domain, selector), user (selector exists), temporary (I/O).
  Result<StoredKey> generate(std::string_view domain, KeyType type, std::optional<std::string_view> selector,
                             int64_t now, unsigned rsa_bits = kDefaultRsaBits);
  // Makes `selector` the active key of its type for `domain` (replacing the
  // previously active one of that type).
  Status activate(std::string_view domain, std::string_view selector);
  // Deletes an inactive key. Errors: user (unknown, or active: activate
  // another key first).
  Status remove(std::string_view domain, std::string_view selector);

  // Every key (of one domain, or all), sorted by domain then selector.
  Result<std::vector<StoredKey>> list(std::optional<std::string_view> domain = std::nullopt) const;
  Result<StoredKey> find(std::string_view domain, std::string_view selector) const;
  Result<PrivateKey> load(std::string_view domain, std::string_view selector) const;
  // The active selectors of `domain` with their keys (empty: do not sign).
  Result<std::vector<ActiveKey>> active_keys(std::string_view domain) const;

  // <data_dir>/dkim/<domain>/active, for change detection by the signer.
  std::string active_file(std::string_view domain) const;

 private:
  std::string domain_dir(std::string_view domain) const;
  Result<std::vector<std::string>> read_active(std::string_view domain) const;
  Status write_active(std::string_view domain, const std::vector<std::string>& selectors) const;

  std::string data_dir_;
  std::string root_;  // <data_dir>/dkim
};

}  // namespace postern::mailauth
