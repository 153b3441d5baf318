// Fuzzes the IMAP COMPRESS=DEFLATE decompressor (core/deflate_stream,
// RFC 4978): what a client sends after COMPRESS is inflated as it arrives,
// in pieces. The first input octet picks the fragment size. Checks: no
// crash; a stream once failed stays failed; the output does not depend on
// how the input was fragmented nor on the slice size take() hands out
// (never more than asked); and any data compressed in fragments by
// DeflateStream inflates back exactly, whatever the fragmentation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/deflate_stream.hpp"

namespace {

using namespace postern;

// Inflates `in` in pieces of `step`; false when the stream failed.
bool inflate_in_pieces(std::string_view in, size_t step, std::string& out) {
  InflateStream z;
  for (size_t pos = 0; pos < in.size(); pos += step) {
    auto r = z.decompress(in.substr(pos, step));
    if (!r) {
      if (z.decompress("x")) std::abort();  // failed for good
      return false;
    }
    out += *r;
  }
  return true;
}

// Feeds `in` in pieces of `step` and takes at most `slice` octets at a time.
bool inflate_in_slices(std::string_view in, size_t step, size_t slice, std::string& out) {
  InflateStream z;
  for (size_t pos = 0; pos < in.size(); pos += step) {
    z.feed(in.substr(pos, step));
    for (;;) {
      auto r = z.take(slice);
      if (!r) return false;
      if (r->size() > slice) std::abort();
      if (r->empty()) break;
      out += *r;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t step = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string whole, pieces;
  bool ok_whole = inflate_in_pieces(input, input.size() + 1, whole);
  bool ok_pieces = inflate_in_pieces(input, step, pieces);
  // The same octets arrive either way; a failure can only come later, at
  // the same point, with the same output before it.
  if (ok_whole != ok_pieces || (ok_whole && whole != pieces)) std::abort();
  std::string sliced;
  bool ok_sliced = inflate_in_slices(input, step, 1 + data[0] % 17, sliced);
  if (ok_sliced != ok_whole || (ok_whole && sliced != whole)) std::abort();

  DeflateStream d;
  std::string compressed;
  for (size_t pos = 0; pos < input.size(); pos += step) compressed += d.compress(input.substr(pos, step));
  std::string back;
  if (!inflate_in_pieces(compressed, step + 7, back) || back != input) std::abort();
  return 0;
}
