// Fuzzes the mbox splitter and From_ quoting: splitting arbitrary bytes
// never crashes and every message is a view inside the input; mboxrd
// quoting is undone exactly by unquoting; a file written from quoted
// messages splits back into the same messages; status headers strip
// without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "transfer/proto/mbox.hpp"

using namespace postern::transfer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto msgs = split_mbox(input);
  for (const auto& m : msgs) {
    if (m.raw.data() < input.data() || m.raw.data() + m.raw.size() > input.data() + input.size()) std::abort();
    (void)unquote_from(m.raw, MboxFormat::mboxo);
    (void)parse_from_line(m.from_line);
  }
  // Treat the input as one message text (LF, ending in a newline as
  // exports write it) and check the write/read round trip.
  std::string text = to_lf(input);
  if (text.find('\r') != std::string::npos) return 0;  // bare CRs: not an exported text
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (unquote_from(quote_from(text), MboxFormat::mboxrd) != text) std::abort();
  std::string file = format_from_line("a@b", 0) + quote_from(text) + "\n";
  auto back = split_mbox(file);
  if (back.size() != 1 || unquote_from(back[0].raw, MboxFormat::mboxrd) != text) std::abort();
  std::vector<std::string> flags;
  (void)strip_status_headers(input, flags);
  (void)status_headers(flags);
  (void)crlf_size(input);
  return 0;
}
