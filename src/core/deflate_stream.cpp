// zlib-backed raw DEFLATE streams (see deflate_stream.hpp).
#include "core/deflate_stream.hpp"

#include <zlib.h>

#include <algorithm>
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
  std::string pending;  // fed, not yet fully decompressed; z.next_in points into it
  bool failed = false;
  bool ended = false;   // the peer ended the DEFLATE stream: nothing more is read
  bool output_held = false;  // the last inflate() filled its output: zlib may have more
};

InflateStream::InflateStream() : state_(std::make_unique<State>()) {
  if (inflateInit2(&state_->z, kRawDeflate) != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

InflateStream::~InflateStream() { inflateEnd(&state_->z); }

void InflateStream::feed(std::string_view data) {
  auto& st = *state_;
  // zlib reads straight from `pending`: drop what it has consumed, then
  // append (which may move the buffer) and point it at the rest again.
  size_t consumed = st.pending.size() - st.z.avail_in;
  st.pending.erase(0, consumed);
  st.pending.append(data);
  st.z.next_in = reinterpret_cast<Bytef*>(st.pending.data());
  st.z.avail_in = static_cast<uInt>(st.pending.size());
}

Result<std::string> InflateStream::take(size_t max) {
  auto& st = *state_;
  if (st.failed) return syntax_error("compressed stream already failed");
  std::string out;
  // zlib may hold decompressed output back when the output space ran out,
  // even with all input consumed: keep going while that can be the case.
  while ((st.z.avail_in > 0 || st.output_held) && !st.ended && out.size() < max) {
    size_t used = out.size();
    size_t room = std::min(kChunk, max - used);
    out.resize(used + room);
    st.z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    st.z.avail_out = static_cast<uInt>(room);
    int rc = inflate(&st.z, Z_SYNC_FLUSH);
    st.output_held = st.z.avail_out == 0;
    out.resize(used + room - st.z.avail_out);
    if (rc == Z_STREAM_END) st.ended = true;
    else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      st.failed = true;
      return syntax_error(std::string("invalid compressed data: ") + (st.z.msg ? st.z.msg : "inflate error"));
    } else if (rc == Z_BUF_ERROR && st.z.avail_out != 0) {
      break;  // needs more input
    }
  }
  if ((st.z.avail_in == 0 && !st.output_held) || st.ended) {
    st.pending.clear();
    st.z.avail_in = 0;
  }
  return out;
}

Result<std::string> InflateStream::decompress(std::string_view data) {
  feed(data);
  std::string all;
  for (;;) {
    auto part = take(kChunk * 4);
    if (!part) return part.error();
    if (part->empty()) return all;
    all += *part;
  }
}

}  // namespace postern
