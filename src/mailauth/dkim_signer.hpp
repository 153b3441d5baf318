// What the outbound path calls to DKIM-sign a message of one of our domains:
// signs with every active key of the domain (KeyStore), keeping the loaded
// keys in memory and reloading a domain's keys when its `active` file
// changes, so `postern dkim activate` takes effect without a restart.
// Thread-safe; sign() does a stat() and, after a change, reads small files,
// but never touches the network.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mailauth/key_store.hpp"

namespace postern::mailauth {

class DkimSigner {
 public:
  explicit DkimSigner(std::string data_dir);

  // The DKIM-Signature header fields (each ending in CRLF) to prepend to
  // `message`, one per active key of `domain`; empty when the domain has no
  // active key (the message goes out unsigned). Errors: user (no From field,
  // unreadable key file), temporary (I/O), internal (crypto).
  Result<std::string> sign(std::string_view message, std::string_view domain, int64_t now);

 private:
  struct Cached {
    std::string stamp;  // identity of the `active` file when loaded (inode, size, mtime)
    std::vector<ActiveKey> keys;
  };
  Result<std::vector<ActiveKey>> keys_for(const std::string& domain);

  KeyStore store_;
  std::mutex mutex_;
  std::map<std::string, Cached, std::less<>> cache_;
};

// The domain of the first address in the From field, lower-cased: the
// domain DMARC aligns a signature with (RFC 7489 §3.1). nullopt without a
// usable From.
std::optional<std::string> author_domain(std::string_view message);

}  // namespace postern::mailauth
