// BODY[section] slicing over the cached part offsets.
#include "imap/render/section.hpp"

#include "core/strings.hpp"
#include "mime/header.hpp"

namespace postern::imap {

std::string filter_header_fields(std::string_view header, const std::vector<std::string>& names, bool exclude) {
  auto h = mime::parse_header_section(header);
  std::string out;
  for (const auto& f : h.fields) {
    bool listed = false;
    for (const auto& n : names)
      if (iequals(f.name, n)) listed = true;
    if (listed == exclude) continue;
    // The field's raw lines: from its name to the end of its value, plus
    // the line break that ends it.
    size_t begin = static_cast<size_t>(f.name.data() - header.data());
    size_t end = static_cast<size_t>(f.value.data() + f.value.size() - header.data());
    if (end < header.size() && header[end] == '\r') ++end;
    if (end < header.size() && header[end] == '\n') ++end;
    out.append(header.substr(begin, end - begin));
    if (out.back() != '\n') out += "\r\n";  // last field of a header without a line end
  }
  out += "\r\n";
  return out;
}

std::optional<SectionBytes> section_bytes(std::string_view message, const mime::MessageStructure& structure,
                                          const Section& section) {
  const mime::Part* part = nullptr;
  if (!section.part.empty()) {
    part = mime::find_part(structure, section.part);
    if (!part) return std::nullopt;
  }
  if (section.text == SectionText::none)
    return SectionBytes::view(part ? mime::part_body(message, *part) : message);
  if (section.text == SectionText::mime) {
    if (!part) return std::nullopt;  // RFC 9051 §6.4.5: MIME must be prefixed by a part number
    return SectionBytes::view(mime::part_header(message, *part));
  }
  // HEADER, HEADER.FIELDS[.NOT], TEXT: of the top-level message, or of the
  // message embedded in a message/rfc822 (message/global) part.
  const mime::Part* msg = &structure.root;
  if (part) {
    if (!part->is_message() || part->children.empty()) return std::nullopt;
    msg = &part->children.front();
  }
  switch (section.text) {
    case SectionText::header:
      return SectionBytes::view(mime::part_header(message, *msg));
    case SectionText::text:
      return SectionBytes::view(mime::part_body(message, *msg));
    case SectionText::header_fields:
    case SectionText::header_fields_not:
      return SectionBytes::owned(filter_header_fields(mime::part_header(message, *msg), section.fields,
                                                      section.text == SectionText::header_fields_not));
    default:
      return std::nullopt;
  }
}

}  // namespace postern::imap
