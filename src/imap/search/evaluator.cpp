// Search key evaluation. Each key kind is classified once by need_of();
// row-level keys are answered by row_key(), the rest by content_key().
#include "imap/search/evaluator.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "imap/proto/datetime.hpp"
#include "imap/search/casefold.hpp"
#include "imap/search/message_text.hpp"
#include "mime/charset.hpp"
#include "mime/header.hpp"
#include "mime/structure_codec.hpp"

namespace postern::imap {
namespace {

constexpr int64_t kDay = 86400;

SearchNeed need_of(SearchKeyKind k) {
  switch (k) {
    case SearchKeyKind::larger:
    case SearchKeyKind::smaller:
    case SearchKeyKind::before:
    case SearchKeyKind::on:
    case SearchKeyKind::since:
    case SearchKeyKind::older:
    case SearchKeyKind::younger:
    case SearchKeyKind::emailid:
    case SearchKeyKind::threadid: return SearchNeed::data;
    case SearchKeyKind::from:
    case SearchKeyKind::to:
    case SearchKeyKind::cc:
    case SearchKeyKind::bcc:
    case SearchKeyKind::subject:
    case SearchKeyKind::sent_before:
    case SearchKeyKind::sent_on:
    case SearchKeyKind::sent_since: return SearchNeed::structure;
    case SearchKeyKind::header: return SearchNeed::header;
    case SearchKeyKind::body:
    case SearchKeyKind::text: return SearchNeed::message;
    default: return SearchNeed::row;  // and_/or_/not_ are handled by their callers
  }
}

bool folds_text(SearchKeyKind k) {
  switch (k) {
    case SearchKeyKind::from:
    case SearchKeyKind::to:
    case SearchKeyKind::cc:
    case SearchKeyKind::bcc:
    case SearchKeyKind::subject:
    case SearchKeyKind::header:
    case SearchKeyKind::body:
    case SearchKeyKind::text: return true;
    default: return false;
  }
}

// "*" and reversed ranges resolved, sorted and merged (binary search later).
void resolve_set(SequenceSet& set, uint32_t largest) {
  if (set.saved) return;
  auto merged = set.resolve(largest);
  set.ranges.clear();
  for (auto [a, b] : merged) set.ranges.push_back({a, b});
}

bool in_set(const SequenceSet& set, uint32_t n) {
  auto it = std::upper_bound(set.ranges.begin(), set.ranges.end(), n,
                             [](uint32_t v, const SeqRange& r) { return v < r.first; });
  return it != set.ranges.begin() && n <= std::prev(it)->last;
}

bool in_saved(std::span<const uint32_t> saved, uint32_t uid) { return std::binary_search(saved.begin(), saved.end(), uid); }

SearchNeed prepare_key(SearchKey& k, bool& modseq, uint32_t exists, uint32_t max_uid) {
  switch (k.kind) {
    case SearchKeyKind::and_: {
      std::vector<std::pair<SearchNeed, SearchKey>> parts;
      SearchNeed most = SearchNeed::row;
      for (auto& c : k.children) {
        SearchNeed n = prepare_key(c, modseq, exists, max_uid);
        most = std::max(most, n);
        parts.emplace_back(n, std::move(c));
      }
      std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      k.children.clear();
      for (auto& p : parts) k.children.push_back(std::move(p.second));
      return most;
    }
    case SearchKeyKind::or_: {
      SearchNeed a = prepare_key(k.children.at(0), modseq, exists, max_uid);
      SearchNeed b = prepare_key(k.children.at(1), modseq, exists, max_uid);
      if (b < a) std::swap(k.children[0], k.children[1]);
      return std::max(a, b);
    }
    case SearchKeyKind::not_: return prepare_key(k.children.at(0), modseq, exists, max_uid);
    case SearchKeyKind::sequence_set: resolve_set(k.set, exists); return SearchNeed::row;
    case SearchKeyKind::uid: resolve_set(k.set, max_uid); return SearchNeed::row;
    case SearchKeyKind::modseq: modseq = true; return SearchNeed::row;
    default: break;
  }
  // RFC 9051 §6.4.4: strings are matched case-insensitively, in the search
  // charset (UTF-8 or US-ASCII here; 8-bit junk read as ISO-8859-1).
  if (folds_text(k.kind)) k.text = casefolded(mime::raw_to_utf8(k.text));
  return need_of(k.kind);
}

// Row-level keys; nullopt for keys that need more.
std::optional<bool> row_key(const SearchKey& k, const MessageFacts& m, const SearchContext& ctx) {
  switch (k.kind) {
    case SearchKeyKind::all: return true;
    case SearchKeyKind::sequence_set: return k.set.saved ? in_saved(ctx.saved, m.uid) : in_set(k.set, m.seq);
    case SearchKeyKind::uid: return k.set.saved ? in_saved(ctx.saved, m.uid) : in_set(k.set, m.uid);
    case SearchKeyKind::answered: return has_flag(m.flags, "\\Answered");
    case SearchKeyKind::deleted: return has_flag(m.flags, "\\Deleted");
    case SearchKeyKind::draft: return has_flag(m.flags, "\\Draft");
    case SearchKeyKind::flagged: return has_flag(m.flags, "\\Flagged");
    case SearchKeyKind::seen: return has_flag(m.flags, "\\Seen");
    case SearchKeyKind::unanswered: return !has_flag(m.flags, "\\Answered");
    case SearchKeyKind::undeleted: return !has_flag(m.flags, "\\Deleted");
    case SearchKeyKind::undraft: return !has_flag(m.flags, "\\Draft");
    case SearchKeyKind::unflagged: return !has_flag(m.flags, "\\Flagged");
    case SearchKeyKind::unseen: return !has_flag(m.flags, "\\Seen");
    case SearchKeyKind::keyword: return has_flag(m.flags, k.text);
    case SearchKeyKind::unkeyword: return !has_flag(m.flags, k.text);
    // RFC 3501 §6.4.4: \Recent is never set here (DESIGN.md), so RECENT and
    // NEW (= RECENT UNSEEN) match nothing and OLD (= NOT RECENT) everything.
    case SearchKeyKind::recent:
    case SearchKeyKind::new_: return false;
    case SearchKeyKind::old: return true;
    // RFC 7162 §3.1.5: MODSEQ matches a mod-sequence equal or greater. The
    // store keeps one MODSEQ per message, so a metadata entry name
    // ("/flags/\Seen" priv/shared/all) compares with it too, as Dovecot does.
    case SearchKeyKind::modseq: return static_cast<uint64_t>(m.modseq) >= k.number;
    // RFC 8514: save dates are not recorded (SAVEDATE is not advertised):
    // no message has one, so SAVEDATESUPPORTED and SAVED* match nothing.
    case SearchKeyKind::saved_before:
    case SearchKeyKind::saved_on:
    case SearchKeyKind::saved_since:
    case SearchKeyKind::savedate_supported: return false;
    default: return std::nullopt;
  }
}

// The calendar day of the Date: header in its own zone (RFC 9051 §6.4.4
// SENT*: "disregarding time and timezone"); nullopt when there is no
// parseable Date: (such a message matches no SENT* key).
std::optional<int64_t> sent_day(const mime::Envelope& e) {
  if (!e.date) return std::nullopt;
  auto d = mime::parse_zoned_date(*e.date);
  if (!d) return std::nullopt;
  int64_t local = d->unix_seconds + int64_t{d->zone_minutes} * 60;
  return local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
}

bool content_key(const SearchKey& k, MessageContent& c, const SearchContext& ctx) {
  const auto& d = c.data();
  switch (k.kind) {
    case SearchKeyKind::larger: return static_cast<uint64_t>(d.size) > k.number;
    case SearchKeyKind::smaller: return static_cast<uint64_t>(d.size) < k.number;
    // RFC 9051 §6.4.4: the internal date, disregarding time (taken in UTC).
    case SearchKeyKind::before: return d.internal_date < to_unix_seconds(k.date);
    case SearchKeyKind::on: {
      int64_t day = to_unix_seconds(k.date);
      return d.internal_date >= day && d.internal_date < day + kDay;
    }
    case SearchKeyKind::since: return d.internal_date >= to_unix_seconds(k.date);
    // RFC 5032 §3, with Dovecot's boundaries: OLDER n is at least n seconds
    // old, YOUNGER n at most n seconds.
    case SearchKeyKind::older: return d.internal_date <= ctx.now - static_cast<int64_t>(k.number);
    case SearchKeyKind::younger: return d.internal_date >= ctx.now - static_cast<int64_t>(k.number);
    // RFC 8474 §6: the object id, exactly.
    case SearchKeyKind::emailid:
    case SearchKeyKind::threadid: return ctx.object_id && ctx.object_id(d, k.kind) == k.text;
    case SearchKeyKind::from: return addresses_contain(c.envelope().from, k.text);
    case SearchKeyKind::to: return addresses_contain(c.envelope().to, k.text);
    case SearchKeyKind::cc: return addresses_contain(c.envelope().cc, k.text);
    case SearchKeyKind::bcc: return addresses_contain(c.envelope().bcc, k.text);
    case SearchKeyKind::subject: return subject_contains(c.envelope().subject, k.text);
    case SearchKeyKind::sent_before:
    case SearchKeyKind::sent_on:
    case SearchKeyKind::sent_since: {
      auto day = sent_day(c.envelope());
      if (!day) return false;
      int64_t want = to_unix_seconds(k.date) / kDay;
      if (k.kind == SearchKeyKind::sent_before) return *day < want;
      if (k.kind == SearchKeyKind::sent_on) return *day == want;
      return *day >= want;
    }
    case SearchKeyKind::header: return header_field_contains(c.header(), k.header, k.text);
    case SearchKeyKind::body: {
      auto msg = c.message();
      return !c.read_failed() && body_contains(msg, c.structure(), k.text);
    }
    case SearchKeyKind::text: {
      auto msg = c.message();
      return !c.read_failed() && text_contains(msg, c.structure(), k.text);
    }
    default: return false;
  }
}

}  // namespace

bool has_flag(std::string_view flags, std::string_view flag) {
  size_t i = 0;
  while (i < flags.size()) {
    size_t sp = flags.find(' ', i);
    if (sp == std::string_view::npos) sp = flags.size();
    if (iequals(flags.substr(i, sp - i), flag)) return true;
    i = sp + 1;
  }
  return false;
}

PreparedSearch prepare_search(SearchKey key, uint32_t exists, uint32_t max_uid) {
  PreparedSearch p;
  p.key = std::move(key);
  p.need = prepare_key(p.key, p.uses_modseq, exists, max_uid);
  return p;
}

Verdict match_row(const SearchKey& k, const MessageFacts& m, const SearchContext& ctx) {
  switch (k.kind) {
    case SearchKeyKind::and_: {
      Verdict v = Verdict::yes;
      for (const auto& c : k.children) {
        Verdict cv = match_row(c, m, ctx);
        if (cv == Verdict::no) return Verdict::no;
        if (cv == Verdict::unknown) v = Verdict::unknown;
      }
      return v;
    }
    case SearchKeyKind::or_: {
      Verdict a = match_row(k.children[0], m, ctx);
      if (a == Verdict::yes) return a;
      Verdict b = match_row(k.children[1], m, ctx);
      if (b == Verdict::yes) return b;
      return a == Verdict::no && b == Verdict::no ? Verdict::no : Verdict::unknown;
    }
    case SearchKeyKind::not_: {
      Verdict v = match_row(k.children[0], m, ctx);
      return v == Verdict::unknown ? v : (v == Verdict::yes ? Verdict::no : Verdict::yes);
    }
    default: {
      auto r = row_key(k, m, ctx);
      if (!r) return Verdict::unknown;
      return *r ? Verdict::yes : Verdict::no;
    }
  }
}

bool match_message(const SearchKey& k, const MessageFacts& m, MessageContent& c, const SearchContext& ctx) {
  switch (k.kind) {
    case SearchKeyKind::and_:
      for (const auto& ch : k.children)
        if (!match_message(ch, m, c, ctx)) return false;
      return true;
    case SearchKeyKind::or_: return match_message(k.children[0], m, c, ctx) || match_message(k.children[1], m, c, ctx);
    case SearchKeyKind::not_: return !match_message(k.children[0], m, c, ctx);
    default: {
      if (auto r = row_key(k, m, ctx)) return *r;
      return content_key(k, c, ctx);
    }
  }
}

const mime::Envelope& MessageContent::envelope() {
  if (structure_) return structure_->envelope;
  if (envelope_) return *envelope_;
  auto cached = mime::decode_envelope(data_.structure);
  if (!cached) return structure().envelope;  // no usable cache: parse
  envelope_ = std::move(*cached);
  return *envelope_;
}

const mime::MessageStructure& MessageContent::structure() {
  if (structure_) return *structure_;
  auto cached = mime::decode_structure(data_.structure);
  if (cached) {
    structure_ = std::move(*cached);
  } else {
    // Stored without a usable cache (older rows, a codec change): parse now.
    structure_ = mime::parse_message_structure(message());
  }
  return *structure_;
}

std::string_view MessageContent::message() {
  if (!message_) {
    auto r = blobs_.read(data_.blob_hash, 0);
    if (r) {
      message_ = std::move(*r);
    } else {
      failed_ = true;
      message_.emplace();
    }
  }
  return *message_;
}

std::string_view MessageContent::header() {
  if (message_) return mime::part_header(*message_, structure().root);
  if (header_) return *header_;
  const auto& st = structure();
  if (message_) return mime::part_header(*message_, st.root);  // structure() had to read the blob
  uint64_t size = st.root.header_size;
  if (size == 0) {
    header_.emplace();
    return *header_;
  }
  auto r = blobs_.read(data_.blob_hash, size);
  if (r) {
    header_ = std::move(*r);
  } else {
    failed_ = true;
    header_.emplace();
  }
  return *header_;
}

}  // namespace postern::imap
