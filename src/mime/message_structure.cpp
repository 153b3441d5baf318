// Recursive MIME structure parsing over offsets into the message blob.
#include "mime/message_structure.hpp"

#include <algorithm>
#include <functional>

#include "core/strings.hpp"
#include "mime/encoded_words.hpp"

namespace postern::mime {
namespace {

constexpr size_t kMaxBoundary = 256;  // RFC 2046 §5.1.1 says 70; tolerate more, not unbounded

struct Ctx {
  std::string_view msg;
  StructureLimits limits;
  size_t parts = 0;
  bool truncated = false;
  // Octets the boundary searches may still scan. Each nesting level scans
  // its own range, so a deep nest over a large body would cost depth × size;
  // past this budget further multiparts stay opaque (kScanBudgetFactor).
  uint64_t scan_budget = 0;
};

// Total boundary-search work allowed, as a multiple of the message size
// plus 64 MiB (so small messages reach the depth limit first): real mail
// nests large bodies a few levels deep at most.
constexpr uint64_t kScanBudgetFactor = 16;

uint64_t count_lines(std::string_view body) {
  auto n = static_cast<uint64_t>(std::count(body.begin(), body.end(), '\n'));
  if (!body.empty() && body.back() != '\n') ++n;
  return n;
}

std::optional<std::string> field_value(const HeaderSection& h, std::string_view name) {
  if (const auto* f = find_field(h, name)) return unfold(f->value);
  return std::nullopt;
}

std::vector<Address> field_addresses(const HeaderSection& h, std::string_view name) {
  if (const auto* f = find_field(h, name)) return parse_address_list(f->value);
  return {};
}

void apply_content_fields(const HeaderSection& h, Part& p, bool digest_child) {
  if (digest_child) {
    p.type = "message";  // RFC 2046 §5.1.5
    p.subtype = "rfc822";
  }
  if (const auto* f = find_field(h, "Content-Type")) {
    // RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii.
    if (auto ct = parse_content_type(f->value)) {
      p.type = std::move(ct->type);
      p.subtype = std::move(ct->subtype);
      p.params = std::move(ct->params);
    } else {
      p.type = "text";
      p.subtype = "plain";
    }
  }
  // RFC 2046 §4.1.2: the default charset of text/* is US-ASCII.
  if (p.is_text() && !find_param(p.params, "charset")) p.params.push_back({"charset", "us-ascii", "us-ascii"});
  if (auto cte = field_value(h, "Content-Transfer-Encoding")) {
    auto v = trim(*cte);
    if (!v.empty()) p.encoding = to_lower_ascii(v);
  }
  p.id = field_value(h, "Content-ID");
  p.description = field_value(h, "Content-Description");
  p.md5 = field_value(h, "Content-MD5");
  p.location = field_value(h, "Content-Location");
  if (const auto* f = find_field(h, "Content-Disposition")) p.disposition = parse_content_disposition(f->value);
  if (const auto* f = find_field(h, "Content-Language")) p.language = parse_content_language(f->value);
}

bool is_wsp_only(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

Part parse_part(Ctx& ctx, size_t begin, size_t end, size_t depth, bool digest_child, HeaderSection* headers_out);

// RFC 2046 §5.1.1: body parts lie between delimiter lines "--boundary"
// (optionally followed by whitespace); "--boundary--" closes. The preamble
// and epilogue are ignored; a missing close delimiter ends the last part at
// the end of the enclosing body. The line break before a delimiter belongs
// to the delimiter. Nested multiparts only ever see their parent's part range,
// so an outer delimiter also ends an inner multipart that was never closed.
void split_multipart(Ctx& ctx, Part& p, size_t depth) {
  const Param* bp = find_param(p.params, "boundary");
  if (!bp || bp->value.empty() || bp->value.size() > kMaxBoundary) return;
  if (p.body_size > ctx.scan_budget) {
    ctx.truncated = true;
    return;
  }
  ctx.scan_budget -= p.body_size;
  const std::string delim = "--" + bp->value;
  const std::string line_delim = "\n" + delim;
  const bool digest = p.subtype == "digest";
  const size_t body_begin = p.body_offset;
  const size_t body_end = p.body_offset + p.body_size;
  std::string_view m = ctx.msg;
  // Boyer-Moore-Horspool over "\n--boundary": each nesting level scans its
  // range once, and long runs of "-" or blank lines stay cheap.
  const std::boyer_moore_horspool_searcher searcher(line_delim.begin(), line_delim.end());
  // The first delimiter at or after `from` that starts a line, or npos.
  auto find_delim = [&](size_t from) -> size_t {
    if (from == body_begin && m.substr(from, body_end - from).substr(0, delim.size()) == delim) return from;
    size_t start = from == body_begin ? from : from - 1;  // m[from - 1] ends the previous line
    auto it = std::search(m.begin() + static_cast<std::ptrdiff_t>(start),
                          m.begin() + static_cast<std::ptrdiff_t>(body_end), searcher);
    if (it == m.begin() + static_cast<std::ptrdiff_t>(body_end)) return std::string_view::npos;
    return static_cast<size_t>(it - m.begin()) + 1;
  };
  std::optional<size_t> part_start;
  size_t pos = body_begin;
  auto add_child = [&](size_t s, size_t e) {
    if (ctx.parts >= ctx.limits.max_parts) {
      ctx.truncated = true;
      return false;
    }
    p.children.push_back(parse_part(ctx, s, e, depth + 1, digest, nullptr));
    return true;
  };
  while (pos < body_end) {
    size_t hit = find_delim(pos);
    if (hit == std::string_view::npos) break;
    size_t line_end = m.substr(0, body_end).find('\n', hit);
    size_t next = line_end == std::string_view::npos ? body_end : line_end + 1;
    if (line_end == std::string_view::npos) line_end = body_end;
    auto rest = m.substr(hit + delim.size(), line_end - hit - delim.size());
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    bool close = rest.substr(0, 2) == "--";
    if (close) rest.remove_prefix(2);
    if (!is_wsp_only(rest)) {  // "--boundaryX": some other (longer) boundary
      pos = hit + 1;
      continue;
    }
    if (part_start) {
      size_t content_end = hit;
      if (content_end > *part_start && m[content_end - 1] == '\n') --content_end;
      if (content_end > *part_start && m[content_end - 1] == '\r') --content_end;
      if (!add_child(*part_start, content_end)) return;
    }
    if (close) return;
    part_start = next;
    pos = next;
  }
  if (part_start) add_child(*part_start, body_end);
}

void parse_embedded(Ctx& ctx, Part& p, size_t depth) {
  // RFC 2046 §5.2.1: only 7bit, 8bit and binary are allowed on
  // message/rfc822; anything else is not parsed (an opaque leaf).
  if (p.encoding != "7bit" && p.encoding != "8bit" && p.encoding != "binary") return;
  if (ctx.parts >= ctx.limits.max_parts) {
    ctx.truncated = true;
    return;
  }
  HeaderSection h;
  p.children.push_back(parse_part(ctx, p.body_offset, p.body_offset + p.body_size, depth + 1, false, &h));
  p.envelope = build_envelope(h);
}

Part parse_part(Ctx& ctx, size_t begin, size_t end, size_t depth, bool digest_child, HeaderSection* headers_out) {
  ++ctx.parts;
  Part p;
  auto h = parse_header_section(ctx.msg.substr(begin, end - begin));
  p.header_offset = begin;
  p.header_size = h.body_offset;
  p.body_offset = begin + h.body_offset;
  p.body_size = end - p.body_offset;
  apply_content_fields(h, p, digest_child);
  p.body_lines = count_lines(ctx.msg.substr(p.body_offset, p.body_size));
  if (p.is_multipart() || p.is_message()) {
    if (depth + 1 > ctx.limits.max_depth) {
      ctx.truncated = true;  // deeper parts stay opaque
    } else if (p.is_multipart()) {
      split_multipart(ctx, p, depth);
    } else {
      parse_embedded(ctx, p, depth);
    }
  }
  if (headers_out) *headers_out = std::move(h);
  return p;
}

const Address* first_mailbox(const std::vector<Address>& list) {
  for (const auto& a : list)
    if (a.host) return &a;
  return nullptr;
}

std::string addr_spec(const Address& a) { return a.mailbox.value_or("") + "@" + a.host.value_or(""); }

SortKeys build_sort_keys(const HeaderSection& h, const Envelope& env) {
  SortKeys k;
  if (env.date) k.date = parse_date(*env.date);
  if (const auto* f = find_field(h, "Subject")) k.subject = decode_encoded_words(f->value);
  // RFC 5957 §3: the display-name if present, else the addr-spec.
  auto display = [](const Address& a) { return a.name ? decode_encoded_words(*a.name) : addr_spec(a); };
  if (const auto* a = first_mailbox(env.from)) {
    k.from_mailbox = a->mailbox.value_or("");
    k.from_display = display(*a);
  }
  if (const auto* a = first_mailbox(env.to)) {
    k.to_mailbox = a->mailbox.value_or("");
    k.to_display = display(*a);
  }
  if (const auto* a = first_mailbox(env.cc)) k.cc_mailbox = a->mailbox.value_or("");
  return k;
}

}  // namespace

Envelope build_envelope(const HeaderSection& h) {
  Envelope e;
  e.date = field_value(h, "Date");
  e.subject = field_value(h, "Subject");
  e.from = field_addresses(h, "From");
  e.sender = field_addresses(h, "Sender");
  e.reply_to = field_addresses(h, "Reply-To");
  e.to = field_addresses(h, "To");
  e.cc = field_addresses(h, "Cc");
  e.bcc = field_addresses(h, "Bcc");
  e.in_reply_to = field_value(h, "In-Reply-To");
  e.message_id = field_value(h, "Message-ID");
  return e;
}

MessageStructure parse_message_structure(std::string_view message, const StructureLimits& limits) {
  Ctx ctx{message, limits};
  ctx.scan_budget = kScanBudgetFactor * message.size() + (uint64_t{64} << 20);
  MessageStructure s;
  HeaderSection h;
  s.root = parse_part(ctx, 0, message.size(), 0, false, &h);
  s.envelope = build_envelope(h);
  s.sort = build_sort_keys(h, s.envelope);
  s.part_count = static_cast<uint32_t>(ctx.parts);
  s.truncated = ctx.truncated;
  return s;
}

const Part* find_part(const MessageStructure& structure, std::span<const uint32_t> path) {
  if (path.empty()) return nullptr;
  const Part* cur = nullptr;  // nullptr: the top-level message
  for (uint32_t n : path) {
    if (n == 0) return nullptr;
    const Part* body;  // the body of a message, whose parts n numbers
    if (!cur) {
      body = &structure.root;
    } else if (cur->is_multipart()) {
      if (n > cur->children.size()) return nullptr;
      cur = &cur->children[n - 1];
      continue;
    } else if (cur->is_message() && !cur->children.empty()) {
      body = &cur->children[0];
    } else {
      return nullptr;  // a leaf has no sub-parts
    }
    if (body->is_multipart()) {
      if (n > body->children.size()) return nullptr;
      cur = &body->children[n - 1];
    } else {
      if (n != 1) return nullptr;
      cur = body;
    }
  }
  return cur;
}

std::string_view part_header(std::string_view message, const Part& part) {
  if (part.header_offset > message.size() || part.header_size > message.size() - part.header_offset) return {};
  return message.substr(part.header_offset, part.header_size);
}

std::string_view part_body(std::string_view message, const Part& part) {
  if (part.body_offset > message.size() || part.body_size > message.size() - part.body_offset) return {};
  return message.substr(part.body_offset, part.body_size);
}

}  // namespace postern::mime
