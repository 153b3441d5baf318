// Fuzzes the MIME structure parser and its cache codec: arbitrary bytes
// must parse without crashing, with every part's offsets inside the input;
// encode → decode must give back the identical structure and bytes; the
// input read as a cache blob must either be rejected or re-encode to
// itself; the envelope decoded alone equals the whole decode's; every part number path must resolve safely; and the IMAP
// ENVELOPE/BODYSTRUCTURE renderers and BODY[section] slicing must not crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "mime/message_structure.hpp"
#include "mime/structure_codec.hpp"

#include "imap/render/bodystructure.hpp"
#include "imap/render/envelope.hpp"
#include "imap/render/section.hpp"

namespace {

using postern::mime::Part;

void check_part(const Part& p, size_t size) {
  if (p.header_offset + p.header_size != p.body_offset) std::abort();
  if (p.body_offset > size || p.body_size > size - p.body_offset) std::abort();
  if (p.is_message() && p.children.size() > 1) std::abort();
  for (const auto& c : p.children) {
    if (c.header_offset < p.body_offset || c.body_offset + c.body_size > p.body_offset + p.body_size) std::abort();
    check_part(c, size);
  }
}

// Every path of up to three levels over small part numbers.
void walk_paths(const postern::mime::MessageStructure& s, std::string_view input) {
  std::vector<uint32_t> path;
  for (uint32_t a = 1; a <= 3; ++a) {
    for (uint32_t b = 0; b <= 3; ++b) {
      for (uint32_t c = 0; c <= (b ? 2u : 0u); ++c) {
        path = {a};
        if (b) path.push_back(b);
        if (c) path.push_back(c);
        const Part* p = postern::mime::find_part(s, path);
        if (!p) continue;
        (void)postern::mime::part_header(input, *p);
        (void)postern::mime::part_body(input, *p);
        using postern::imap::SectionText;
        for (auto t : {SectionText::none, SectionText::header, SectionText::header_fields,
                       SectionText::header_fields_not, SectionText::text, SectionText::mime}) {
          postern::imap::Section sec{path, t, {"Subject", "content-type"}};
          (void)postern::imap::section_bytes(input, s, sec);
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Small limits so that nesting and part-count degradation are reached.
  postern::mime::StructureLimits limits;
  limits.max_depth = 8;
  limits.max_parts = 64;
  auto s = postern::mime::parse_message_structure(input, limits);
  check_part(s.root, size);
  if (s.part_count > limits.max_parts) std::abort();

  auto bytes = postern::mime::encode_structure(s);
  auto back = postern::mime::decode_structure(bytes);
  if (!back || !(*back == s) || postern::mime::encode_structure(*back) != bytes) std::abort();
  // The envelope alone decodes to the same envelope.
  auto env = postern::mime::decode_envelope(bytes);
  if (!env || !(*env == s.envelope)) std::abort();
  (void)postern::mime::decode_envelope(input);  // corrupt: rejected or bounded

  // The input as a (corrupt) cache blob: rejected, or canonical.
  if (auto d = postern::mime::decode_structure(input)) {
    if (postern::mime::encode_structure(*d) != input) std::abort();
    // A decoded cache need not match any message: rendering and slicing a
    // different blob must still stay in bounds.
    (void)postern::imap::render_bodystructure(d->root, true);
    (void)postern::imap::render_envelope(d->envelope);
    walk_paths(*d, input.substr(0, input.size() / 2));
  }

  walk_paths(s, input);
  (void)postern::imap::render_envelope(s.envelope);
  (void)postern::imap::render_bodystructure(s.root, false);
  (void)postern::imap::render_bodystructure(s.root, true);
  postern::imap::WriterOptions utf8;
  utf8.utf8 = true;
  (void)postern::imap::render_bodystructure(s.root, true, utf8);
  postern::imap::Section whole{{}, postern::imap::SectionText::header_fields_not, {"From"}};
  (void)postern::imap::section_bytes(input, s, whole);
  return 0;
}
