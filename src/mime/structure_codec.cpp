// MessageStructure <-> compact bytes (see structure_codec.hpp for the format).
#include "mime/structure_codec.hpp"

namespace postern::mime {
namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void b(bool v) { out_.push_back(v ? 1 : 0); }
  void str(std::string_view s) {
    u(s.size());
    out_.append(s);
  }
  void ostr(const std::optional<std::string>& s) {
    if (!s) {
      u(0);
      return;
    }
    u(s->size() + 1);
    out_.append(*s);
  }
  void params(const Params& ps) {
    u(ps.size());
    for (const auto& p : ps) {
      str(p.name);
      str(p.value);
      str(p.decoded);
    }
  }
  void addresses(const std::vector<Address>& list) {
    u(list.size());
    for (const auto& a : list) {
      ostr(a.name);
      ostr(a.adl);
      ostr(a.mailbox);
      ostr(a.host);
    }
  }
  void envelope(const Envelope& e) {
    ostr(e.date);
    ostr(e.subject);
    addresses(e.from);
    addresses(e.sender);
    addresses(e.reply_to);
    addresses(e.to);
    addresses(e.cc);
    addresses(e.bcc);
    ostr(e.in_reply_to);
    ostr(e.message_id);
  }
  void part(const Part& p) {
    str(p.type);
    str(p.subtype);
    params(p.params);
    ostr(p.id);
    ostr(p.description);
    str(p.encoding);
    ostr(p.md5);
    b(p.disposition.has_value());
    if (p.disposition) {
      str(p.disposition->type);
      params(p.disposition->params);
    }
    u(p.language.size());
    for (const auto& l : p.language) str(l);
    ostr(p.location);
    u(p.header_offset);
    u(p.header_size);
    u(p.body_size);  // body_offset = header_offset + header_size
    u(p.body_lines);
    b(p.envelope.has_value());
    if (p.envelope) envelope(*p.envelope);
    u(p.children.size());
    for (const auto& c : p.children) part(c);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool failed() const { return failed_; }
  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }
  void fail() { failed_ = true; }

  uint64_t u() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (failed_ || pos_ >= in_.size()) return fail(), 0;
      auto c = static_cast<unsigned char>(in_[pos_++]);
      if (shift == 63 && c > 1) return fail(), 0;  // overflows 64 bits
      v |= static_cast<uint64_t>(c & 0x7F) << shift;
      if (!(c & 0x80)) {
        if (c == 0 && shift > 0) return fail(), 0;  // non-canonical (padded) varint
        return v;
      }
    }
    return fail(), 0;
  }
  bool b() {
    if (failed_ || pos_ >= in_.size()) return fail(), false;
    auto c = static_cast<unsigned char>(in_[pos_++]);
    if (c > 1) fail();
    return c == 1;
  }
  std::string bytes(uint64_t n) {
    if (failed_ || n > remaining()) return fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::string str() { return bytes(u()); }
  std::optional<std::string> ostr() {
    uint64_t n = u();
    if (failed_ || n == 0) return std::nullopt;
    return bytes(n - 1);
  }
  // A count of elements, each at least `min_size` octets long.
  uint64_t count(size_t min_size) {
    uint64_t n = u();
    if (!failed_ && n > remaining() / min_size) fail();
    return failed_ ? 0 : n;
  }
  Params params() {
    Params ps;
    uint64_t n = count(3);
    ps.reserve(n);
    for (uint64_t k = 0; k < n && !failed_; ++k) {
      Param p;
      p.name = str();
      p.value = str();
      p.decoded = str();
      ps.push_back(std::move(p));
    }
    return ps;
  }
  std::vector<Address> addresses() {
    std::vector<Address> list;
    uint64_t n = count(4);
    list.reserve(n);
    for (uint64_t k = 0; k < n && !failed_; ++k) {
      Address a;
      a.name = ostr();
      a.adl = ostr();
      a.mailbox = ostr();
      a.host = ostr();
      list.push_back(std::move(a));
    }
    return list;
  }
  Envelope envelope() {
    Envelope e;
    e.date = ostr();
    e.subject = ostr();
    e.from = addresses();
    e.sender = addresses();
    e.reply_to = addresses();
    e.to = addresses();
    e.cc = addresses();
    e.bcc = addresses();
    e.in_reply_to = ostr();
    e.message_id = ostr();
    return e;
  }
  void part(Part& p, size_t depth, uint64_t& parts) {
    if (depth > kMaxDecodedDepth) return fail();
    ++parts;
    p.type = str();
    p.subtype = str();
    p.params = params();
    p.id = ostr();
    p.description = ostr();
    p.encoding = str();
    p.md5 = ostr();
    if (b()) {
      ContentDisposition d;
      d.type = str();
      d.params = params();
      p.disposition = std::move(d);
    }
    uint64_t nlang = count(1);
    for (uint64_t k = 0; k < nlang && !failed_; ++k) p.language.push_back(str());
    p.location = ostr();
    p.header_offset = u();
    p.header_size = u();
    p.body_size = u();
    p.body_lines = u();
    // Offsets must not wrap around: the renderer slices with them.
    if (p.header_size > UINT64_MAX - p.header_offset) return fail();
    p.body_offset = p.header_offset + p.header_size;
    if (p.body_size > UINT64_MAX - p.body_offset) return fail();
    if (b()) p.envelope = envelope();
    // A part is at least ~20 octets; 16 is a safe lower bound for the count check.
    uint64_t nchildren = count(16);
    for (uint64_t k = 0; k < nchildren && !failed_; ++k) {
      p.children.emplace_back();  // grown as decoded: memory follows real input
      part(p.children.back(), depth + 1, parts);
    }
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace

std::string encode_structure(const MessageStructure& s) {
  std::string out;
  out.reserve(256);
  out.push_back(static_cast<char>(kStructureMagic));
  out.push_back(static_cast<char>(kStructureVersion));
  Writer w(out);
  w.u(s.part_count);
  w.b(s.truncated);
  w.envelope(s.envelope);
  w.b(s.sort.date.has_value());
  if (s.sort.date) w.u(static_cast<uint64_t>(*s.sort.date));  // two's complement; decode casts back
  w.str(s.sort.subject);
  w.str(s.sort.from_mailbox);
  w.str(s.sort.from_display);
  w.str(s.sort.to_mailbox);
  w.str(s.sort.to_display);
  w.str(s.sort.cc_mailbox);
  w.part(s.root);
  return out;
}

namespace {
Status check_magic(std::string_view data) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != kStructureMagic)
    return internal_error("structure cache: bad magic");
  if (static_cast<unsigned char>(data[1]) != kStructureVersion)
    return internal_error("structure cache: unknown version " + std::to_string(static_cast<unsigned char>(data[1])));
  return Ok{};
}
}  // namespace

Result<Envelope> decode_envelope(std::string_view data) {
  if (auto s = check_magic(data); !s) return s.error();
  Reader r(data.substr(2));
  uint64_t count = r.u();
  if (count > UINT32_MAX) r.fail();
  (void)r.b();  // truncated
  Envelope e = r.envelope();
  if (r.failed()) return internal_error("structure cache: malformed or truncated at octet " + std::to_string(r.pos() + 2));
  return e;
}

Result<MessageStructure> decode_structure(std::string_view data) {
  if (auto s = check_magic(data); !s) return s.error();
  Reader r(data.substr(2));
  MessageStructure s;
  uint64_t count = r.u();
  if (count > UINT32_MAX) r.fail();
  s.part_count = static_cast<uint32_t>(count);
  s.truncated = r.b();
  s.envelope = r.envelope();
  if (r.b()) s.sort.date = static_cast<int64_t>(r.u());
  s.sort.subject = r.str();
  s.sort.from_mailbox = r.str();
  s.sort.from_display = r.str();
  s.sort.to_mailbox = r.str();
  s.sort.to_display = r.str();
  s.sort.cc_mailbox = r.str();
  uint64_t parts = 0;
  r.part(s.root, 0, parts);
  if (r.failed()) return internal_error("structure cache: malformed or truncated at octet " + std::to_string(r.pos() + 2));
  if (!r.at_end()) return internal_error("structure cache: trailing data at octet " + std::to_string(r.pos() + 2));
  if (parts != s.part_count) return internal_error("structure cache: part count mismatch");
  return s;
}

}  // namespace postern::mime
