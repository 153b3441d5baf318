// Content-addressed blob files: <root>/blobs/<h0h1>/<sha256-hex>. A blob
// appears under its final name only after its bytes are fsynced (written to
// <root>/tmp, fsync, rename, directory fsync), so a crash never leaves a
// partial blob under a real name. Blobs are immutable once written.
// Thread-safe: write() and read() may run concurrently on any thread; they block.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::store {

class BlobStore {
 public:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}

  // Creates the directory layout and removes leftovers in tmp/.
  Status open();

  // Hex SHA-256 of `content`.
  static std::string hash_of(std::string_view content);

  // Durably stores `content` (no-op when a blob with that hash exists) and
  // returns its hash. Blocking: fsyncs. Errors are temporary (disk).
  Result<std::string> write(std::string_view content);

  // The blob's octets; with max_bytes > 0 at most that many from its start
  // (IMAP SEARCH reads only the header section of a message).
  Result<std::string> read(std::string_view hash, uint64_t max_bytes = 0) const;
  // At most `max_bytes` octets starting at `offset` (empty at or past the
  // end): POP3 RETR streams big messages in chunks with this.
  Result<std::string> read_range(std::string_view hash, uint64_t offset, uint64_t max_bytes) const;
  bool exists(std::string_view hash) const;
  Status remove(std::string_view hash);

  // Calls `visit` for every stored hash (for garbage collection and checks).
  Status for_each(const std::function<void(const std::string& hash)>& visit) const;

  std::string path_of(std::string_view hash) const;

 private:
  Status ensure_dir(const std::string& dir);
  std::string root_;
};

}  // namespace postern::store
