// zlib-backed raw DEFLATE streams (see deflate_stream.hpp).
#include "core/deflate_stream.hpp"

#include <zlib.h>

#include <stdexcept>

namespace postern {

namespace {
constexpr int kRawDeflate = -15;  // RFC 4978 §3: raw DEFLATE, 32 KiB window
// memLevel 5 instead of 8: 32 KiB less per compressed connection, for a
// compression ratio difference that is negligible on mail text.
constexpr int kMemLevel = 5;
constexpr size_t kChunk = 16 * 1024;
}  // namespace

struct DeflateStream::State {
  z_stream z{};
};

DeflateStream::DeflateStream() : state_(std::make_unique<State>()) {
  if (deflateInit2(&state_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawDeflate, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
}

DeflateStream::~DeflateStream() { deflateEnd(&state_->z); }

std::string DeflateStream::compress(std::string_view data) {
  std::string out;
  auto& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  do {
    size_t used = out.size();
    out.resize(used + kChunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(kChunk);
    deflate(&z, Z_SYNC_FLUSH);  // cannot fail with valid state and buffers
    out.resize(used + kChunk - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

struct InflateStream::State {
  z_stream z{};
  bool failed = false;
};

InflateStream::InflateStream() : state_(std::make_unique<State>()) {
  if (inflateInit2(&state_->z, kRawDeflate) != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

InflateStream::~InflateStream() { inflateEnd(&state_->z); }

Result<std::string> InflateStream::decompress(std::string_view data) {
  auto& st = *state_;
  if (st.failed) return syntax_error("compressed stream already failed");
  std::string out;
  st.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  st.z.avail_in = static_cast<uInt>(data.size());
  while (st.z.avail_in > 0) {
    size_t used = out.size();
    out.resize(used + kChunk);
    st.z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    st.z.avail_out = static_cast<uInt>(kChunk);
    int rc = inflate(&st.z, Z_SYNC_FLUSH);
    out.resize(used + kChunk - st.z.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      st.failed = true;
      return syntax_error(std::string("invalid compressed data: ") + (st.z.msg ? st.z.msg : "inflate error"));
    }
    if (rc == Z_BUF_ERROR && st.z.avail_out != 0) break;  // needs more input
  }
  return out;
}

}  // namespace postern
