// FETCH argument parser: fetch-att, section specs, partials and modifiers
// (RFC 9051 §9 fetch-att, section, partial; RFC 3516; RFC 7162).
#include "imap/proto/fetch_args.hpp"

#include "core/strings.hpp"

namespace postern::imap {
namespace {

constexpr uint64_t kModSeqMax = 9223372036854775807ull;
constexpr uint64_t kNumber64Max = 9223372036854775807ull;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<uint64_t> number64(std::string_view s, bool nonzero) {
  if (!all_digits(s) || s.size() > 19) return syntax_error("invalid number in partial");
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  if (v > kNumber64Max) return syntax_error("number too large in partial");
  if (nonzero && v == 0) return syntax_error("partial length must be at least 1");
  return v;
}

// field-name = 1*<any CHAR except CTL, SP and ":"> (RFC 5322 §3.6.8)
bool valid_field_name(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':') return false;
  }
  return true;
}

Result<std::vector<std::string>> parse_header_list(std::string_view text, const FetchLimits& limits) {
  // Reuse the tokenizer on "x X <list>" to get quoting and literals-free astrings right.
  auto parsed = parse_command("x X " + std::string(text));
  if (!parsed || parsed->args.size() != 1 || parsed->args[0].kind != NodeKind::list ||
      parsed->args[0].children.empty()) {
    return syntax_error("invalid header field list in section");
  }
  std::vector<std::string> out;
  for (const auto& n : parsed->args[0].children) {
    auto s = as_astring(n);
    if (!s || !valid_field_name(*s)) return syntax_error("invalid header field name in section");
    out.emplace_back(*s);
  }
  if (out.size() > limits.max_header_fields) return syntax_error("too many header fields in section");
  return out;
}

// section-spec inside the brackets; `binary` restricts it to section-part.
Result<Section> parse_section(std::string_view spec, bool binary, const FetchLimits& limits) {
  Section s;
  // Leading section-part: nz-number *("." nz-number)
  while (!spec.empty() && spec[0] >= '0' && spec[0] <= '9') {
    size_t dot = spec.find('.');
    std::string_view num = spec.substr(0, dot);
    if (!all_digits(num) || num[0] == '0' || num.size() > 10) return syntax_error("invalid section part number");
    uint64_t v = 0;
    for (char c : num) v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return syntax_error("invalid section part number");
    s.part.push_back(static_cast<uint32_t>(v));
    if (s.part.size() > limits.max_section_parts) return syntax_error("section part nested too deeply");
    if (dot == std::string_view::npos) {
      spec = {};
      break;
    }
    spec.remove_prefix(dot + 1);
    if (spec.empty()) return syntax_error("invalid section (trailing '.')");
  }
  if (spec.empty()) return s;
  if (binary) return syntax_error("BINARY sections take part numbers only (RFC 3516)");
  std::string upper = to_upper_ascii(spec.substr(0, spec.find(' ')));
  std::string_view rest = spec.find(' ') == std::string_view::npos ? std::string_view{} : spec.substr(spec.find(' ') + 1);
  if (upper == "HEADER") s.text = SectionText::header;
  else if (upper == "TEXT") s.text = SectionText::text;
  else if (upper == "MIME") s.text = SectionText::mime;
  else if (upper == "HEADER.FIELDS") s.text = SectionText::header_fields;
  else if (upper == "HEADER.FIELDS.NOT") s.text = SectionText::header_fields_not;
  else return syntax_error("invalid section text");
  // RFC 9051 §9: "MIME" only after a part number.
  if (s.text == SectionText::mime && s.part.empty()) return syntax_error("MIME section needs a part number");
  if (s.text == SectionText::header_fields || s.text == SectionText::header_fields_not) {
    if (rest.empty()) return syntax_error("HEADER.FIELDS needs a list of field names");
    auto fields = parse_header_list(rest, limits);
    if (!fields) return fields.error();
    s.fields = std::move(*fields);
  } else if (!rest.empty() || spec.find(' ') != std::string_view::npos) {
    return syntax_error("unexpected text after section");
  }
  return s;
}

Result<std::optional<Partial>> parse_partial(std::string_view p) {
  if (p.empty()) return std::optional<Partial>();
  if (p.front() != '<' || p.back() != '>') return syntax_error("invalid text after section");
  p = p.substr(1, p.size() - 2);
  size_t dot = p.find('.');
  if (dot == std::string_view::npos) return syntax_error("partial needs <offset.length>");
  auto off = number64(p.substr(0, dot), false);
  if (!off) return off.error();
  auto len = number64(p.substr(dot + 1), true);
  if (!len) return len.error();
  return std::optional<Partial>(Partial{*off, *len});
}

std::string section_string(const Section& s) {
  std::string out;
  for (size_t i = 0; i < s.part.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(s.part[i]);
  }
  if (s.text == SectionText::none) return out;
  if (!out.empty()) out += '.';
  switch (s.text) {
    case SectionText::header: out += "HEADER"; break;
    case SectionText::text: out += "TEXT"; break;
    case SectionText::mime: out += "MIME"; break;
    case SectionText::header_fields: out += "HEADER.FIELDS ("; break;
    case SectionText::header_fields_not: out += "HEADER.FIELDS.NOT ("; break;
    case SectionText::none: break;
  }
  if (s.text == SectionText::header_fields || s.text == SectionText::header_fields_not) {
    for (size_t i = 0; i < s.fields.size(); ++i) {
      if (i) out += ' ';
      out += s.fields[i];  // field names are atoms (no SP, ':' or CTL), safe unquoted
    }
    out += ')';
  }
  return out;
}

void expand_macro(std::string_view m, std::vector<FetchItem>& items) {
  // RFC 9051 §6.4.5 macros.
  items.push_back({FetchAttr::flags});
  items.push_back({FetchAttr::internaldate});
  items.push_back({FetchAttr::rfc822_size});
  if (m != "FAST") items.push_back({FetchAttr::envelope});
  if (m == "FULL") items.push_back({FetchAttr::body});
}

}  // namespace

Result<FetchItem> parse_fetch_item(std::string_view text, const FetchLimits& limits) {
  size_t bracket = text.find('[');
  std::string name = to_upper_ascii(text.substr(0, bracket));
  FetchItem item;
  if (bracket == std::string_view::npos) {
    static const std::pair<std::string_view, FetchAttr> kSimple[] = {
        {"FLAGS", FetchAttr::flags},           {"UID", FetchAttr::uid},
        {"INTERNALDATE", FetchAttr::internaldate}, {"RFC822.SIZE", FetchAttr::rfc822_size},
        {"RFC822", FetchAttr::rfc822},         {"RFC822.HEADER", FetchAttr::rfc822_header},
        {"RFC822.TEXT", FetchAttr::rfc822_text}, {"ENVELOPE", FetchAttr::envelope},
        {"BODY", FetchAttr::body},             {"BODYSTRUCTURE", FetchAttr::bodystructure},
        {"MODSEQ", FetchAttr::modseq},         {"EMAILID", FetchAttr::emailid},
        {"THREADID", FetchAttr::threadid},     {"SAVEDATE", FetchAttr::savedate},
    };
    for (const auto& [n, a] : kSimple) {
      if (name == n) {
        item.attr = a;
        return item;
      }
    }
    return syntax_error("unknown FETCH item " + std::string(text.substr(0, 64)));
  }
  size_t close = text.find(']', bracket);
  // Brackets are balanced by the tokenizer, but a header list may hold "]"
  // inside quotes; the section ends at the last "]" before any "<".
  size_t last = text.rfind(']');
  if (close == std::string_view::npos || last == std::string_view::npos) return syntax_error("unterminated section");
  close = last;
  std::string_view spec = text.substr(bracket + 1, close - bracket - 1);
  std::string_view after = text.substr(close + 1);
  bool binary = false;
  if (name == "BODY") item.attr = FetchAttr::body_section;
  else if (name == "BODY.PEEK") item.attr = FetchAttr::body_section, item.peek = true;
  else if (name == "BINARY") item.attr = FetchAttr::binary, binary = true;
  else if (name == "BINARY.PEEK") item.attr = FetchAttr::binary, item.peek = true, binary = true;
  else if (name == "BINARY.SIZE") item.attr = FetchAttr::binary_size, binary = true;
  else return syntax_error("unknown FETCH item " + std::string(text.substr(0, 64)));
  auto section = parse_section(spec, binary, limits);
  if (!section) return section.error();
  item.section = std::move(*section);
  auto partial = parse_partial(after);
  if (!partial) return partial.error();
  if (*partial && item.attr == FetchAttr::binary_size) return syntax_error("BINARY.SIZE takes no partial");
  item.partial = *partial;
  return item;
}

Result<FetchArgs> parse_fetch(std::span<const Node> args, bool uid, const FetchLimits& limits) {
  FetchArgs out;
  if (args.size() < 2 || args.size() > 3) return syntax_error("FETCH needs a sequence set and data items");
  auto set = parse_sequence_set(args[0]);
  if (!set) return set.error();
  out.set = std::move(*set);
  const Node& what = args[1];
  if (what.kind == NodeKind::atom) {
    std::string upper = to_upper_ascii(what.text);
    if (upper == "ALL" || upper == "FAST" || upper == "FULL") {
      expand_macro(upper, out.items);
    } else {
      auto item = parse_fetch_item(what.text, limits);
      if (!item) return item.error();
      out.items.push_back(std::move(*item));
    }
  } else if (what.kind == NodeKind::list) {
    if (what.children.empty()) return syntax_error("empty FETCH item list");
    if (what.children.size() > limits.max_items) return syntax_error("too many FETCH items");
    for (const auto& n : what.children) {
      if (n.kind != NodeKind::atom) return syntax_error("invalid FETCH item");
      auto item = parse_fetch_item(n.text, limits);
      if (!item) return item.error();
      out.items.push_back(std::move(*item));
    }
  } else {
    return syntax_error("invalid FETCH data items");
  }
  if (args.size() == 3) {
    // fetch-modifiers (RFC 4466 §2.4; RFC 7162 §3.1.4, §3.2.6)
    const Node& mods = args[2];
    if (mods.kind != NodeKind::list || mods.children.empty()) return syntax_error("invalid FETCH modifiers");
    for (size_t i = 0; i < mods.children.size(); ++i) {
      const Node& m = mods.children[i];
      if (is_word(m, "CHANGEDSINCE")) {
        if (out.changed_since || i + 1 >= mods.children.size()) return syntax_error("invalid CHANGEDSINCE");
        auto v = as_number(mods.children[++i], kModSeqMax);
        if (!v || *v == 0) return syntax_error("invalid CHANGEDSINCE value");
        out.changed_since = *v;
      } else if (is_word(m, "VANISHED")) {
        if (out.vanished) return syntax_error("duplicate VANISHED");
        out.vanished = true;
      } else {
        return syntax_error("unknown FETCH modifier");
      }
    }
    // RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
    if (out.vanished && (!uid || !out.changed_since)) {
      return syntax_error("VANISHED needs UID FETCH with CHANGEDSINCE");
    }
  }
  auto has = [&](FetchAttr a) {
    for (const auto& i : out.items) {
      if (i.attr == a) return true;
    }
    return false;
  };
  if (uid && !has(FetchAttr::uid)) out.items.push_back({FetchAttr::uid});  // RFC 9051 §6.4.9
  if (out.changed_since && !has(FetchAttr::modseq)) out.items.push_back({FetchAttr::modseq});
  return out;
}

std::string FetchItem::response_name() const {
  switch (attr) {
    case FetchAttr::flags: return "FLAGS";
    case FetchAttr::uid: return "UID";
    case FetchAttr::internaldate: return "INTERNALDATE";
    case FetchAttr::rfc822_size: return "RFC822.SIZE";
    case FetchAttr::rfc822: return "RFC822";
    case FetchAttr::rfc822_header: return "RFC822.HEADER";
    case FetchAttr::rfc822_text: return "RFC822.TEXT";
    case FetchAttr::envelope: return "ENVELOPE";
    case FetchAttr::body: return "BODY";
    case FetchAttr::bodystructure: return "BODYSTRUCTURE";
    case FetchAttr::modseq: return "MODSEQ";
    case FetchAttr::emailid: return "EMAILID";
    case FetchAttr::threadid: return "THREADID";
    case FetchAttr::savedate: return "SAVEDATE";
    case FetchAttr::body_section:
    case FetchAttr::binary:
    case FetchAttr::binary_size: {
      std::string n = attr == FetchAttr::body_section ? "BODY[" : attr == FetchAttr::binary ? "BINARY[" : "BINARY.SIZE[";
      n += section_string(section);
      n += ']';
      if (partial) n += "<" + std::to_string(partial->offset) + ">";
      return n;
    }
  }
  return "?";
}

bool FetchItem::sets_seen() const {
  switch (attr) {
    case FetchAttr::rfc822:
    case FetchAttr::rfc822_text: return true;
    case FetchAttr::body_section:
    case FetchAttr::binary: return !peek;
    default: return false;
  }
}

}  // namespace postern::imap
