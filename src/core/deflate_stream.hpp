// Raw DEFLATE streams (RFC 1951, zlib windowBits -15) for IMAP COMPRESS=
// DEFLATE (RFC 4978): one compressor and one decompressor per connection,
// each keeping its dictionary across calls. No I/O.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern {

class DeflateStream {
 public:
  DeflateStream();
  ~DeflateStream();
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  // Compresses `data` and flushes (Z_SYNC_FLUSH) so the peer can decode
  // everything sent so far: each response reaches the client at once.
  std::string compress(std::string_view data);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class InflateStream {
 public:
  InflateStream();
  ~InflateStream();
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  // Decompresses what arrived, all of it; a syntax error for corrupt data
  // (the connection cannot continue after it).
  Result<std::string> decompress(std::string_view data);

  // The same in bounded slices, since DEFLATE expands up to ~1000:1 and a
  // 4 KiB read must not become megabytes at once: feed() keeps the
  // compressed bytes, take() returns at most `max` decompressed octets per
  // call, empty once everything fed is decompressed.
  void feed(std::string_view data);
  Result<std::string> take(size_t max);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace postern
