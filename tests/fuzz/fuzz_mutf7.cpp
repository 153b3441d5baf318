// Fuzzes modified UTF-7: decoding arbitrary bytes never crashes; whatever
// decodes re-encodes to exactly the input (only canonical forms are
// accepted); any valid UTF-8 encodes and decodes back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/strings.hpp"
#include "imap/proto/mutf7.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = postern::imap::mutf7_decode(input);
  if (decoded) {
    if (!postern::is_valid_utf8(*decoded)) std::abort();
    auto again = postern::imap::mutf7_encode(*decoded);
    if (!again || *again != input) std::abort();
  }
  if (postern::is_valid_utf8(input)) {
    auto enc = postern::imap::mutf7_encode(input);
    if (!enc) std::abort();
    auto back = postern::imap::mutf7_decode(*enc);
    // U+0000 is the one code point the decoder refuses.
    if (input.find('\0') == std::string_view::npos && (!back || *back != input)) std::abort();
  }
  (void)postern::imap::mailbox_from_wire(input, false);
  (void)postern::imap::mailbox_from_wire(input, true);
  (void)postern::imap::mailbox_to_wire(input, false);
  return 0;
}
