// SEARCH / SORT / THREAD argument parsers. Recursion over NOT and OR is
// bounded by SearchLimits::max_depth because "NOT NOT NOT ..." needs no
// parentheses and would otherwise recurse once per word.
#include "imap/proto/search_args.hpp"

#include "core/strings.hpp"
#include "imap/proto/flags.hpp"

namespace postern::imap {
namespace {

constexpr uint64_t kNumber64Max = 9223372036854775807ull;

struct SimpleKey {
  std::string_view name;
  SearchKeyKind kind;
};

constexpr SimpleKey kNoArg[] = {
    {"ALL", SearchKeyKind::all},           {"ANSWERED", SearchKeyKind::answered},
    {"DELETED", SearchKeyKind::deleted},   {"DRAFT", SearchKeyKind::draft},
    {"FLAGGED", SearchKeyKind::flagged},   {"SEEN", SearchKeyKind::seen},
    {"RECENT", SearchKeyKind::recent},     {"NEW", SearchKeyKind::new_},
    {"OLD", SearchKeyKind::old},           {"UNANSWERED", SearchKeyKind::unanswered},
    {"UNDELETED", SearchKeyKind::undeleted}, {"UNDRAFT", SearchKeyKind::undraft},
    {"UNFLAGGED", SearchKeyKind::unflagged}, {"UNSEEN", SearchKeyKind::unseen},
    {"SAVEDATESUPPORTED", SearchKeyKind::savedate_supported},
};
constexpr SimpleKey kStringArg[] = {
    {"BCC", SearchKeyKind::bcc},   {"BODY", SearchKeyKind::body},       {"CC", SearchKeyKind::cc},
    {"FROM", SearchKeyKind::from}, {"SUBJECT", SearchKeyKind::subject}, {"TEXT", SearchKeyKind::text},
    {"TO", SearchKeyKind::to},
};
constexpr SimpleKey kDateArg[] = {
    {"BEFORE", SearchKeyKind::before},           {"ON", SearchKeyKind::on},
    {"SINCE", SearchKeyKind::since},             {"SENTBEFORE", SearchKeyKind::sent_before},
    {"SENTON", SearchKeyKind::sent_on},          {"SENTSINCE", SearchKeyKind::sent_since},
    {"SAVEDBEFORE", SearchKeyKind::saved_before}, {"SAVEDON", SearchKeyKind::saved_on},
    {"SAVEDSINCE", SearchKeyKind::saved_since},
};

bool valid_objectid(std::string_view s) {
  // RFC 8474 §4: objectid = 1*255(ALPHA / DIGIT / "_" / "-")
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class KeyParser {
 public:
  KeyParser(std::span<const Node> nodes, const SearchLimits& limits) : nodes_(nodes), limits_(limits) {}

  bool at_end() const { return i_ >= nodes_.size(); }
  size_t pos() const { return i_; }

  Result<SearchKey> parse_key(size_t depth) {
    if (depth > limits_.max_depth) return syntax_error("search keys nested too deeply");
    if (++count_ > limits_.max_keys) return syntax_error("too many search keys");
    if (at_end()) return syntax_error("missing search key");
    const Node& n = nodes_[i_++];
    SearchKey key;
    if (n.kind == NodeKind::list) {
      if (n.children.empty()) return syntax_error("empty parenthesized search key");
      KeyParser inner(n.children, limits_);
      inner.count_ = count_;
      key.kind = SearchKeyKind::and_;
      while (!inner.at_end()) {
        auto k = inner.parse_key(depth + 1);
        if (!k) return k.error();
        key.children.push_back(std::move(*k));
      }
      count_ = inner.count_;
      return key;
    }
    if (n.kind == NodeKind::number || n.kind == NodeKind::sequence_set) {
      auto set = parse_sequence_set(n);
      if (!set) return set.error();
      key.kind = SearchKeyKind::sequence_set;
      key.set = std::move(*set);
      return key;
    }
    if (n.kind != NodeKind::atom) return syntax_error("invalid search key");
    std::string name = to_upper_ascii(n.text);
    for (const auto& k : kNoArg) {
      if (name == k.name) {
        key.kind = k.kind;
        return key;
      }
    }
    for (const auto& k : kStringArg) {
      if (name == k.name) {
        key.kind = k.kind;
        auto s = string_arg(name);
        if (!s) return s.error();
        key.text = std::move(*s);
        return key;
      }
    }
    for (const auto& k : kDateArg) {
      if (name == k.name) {
        key.kind = k.kind;
        if (at_end()) return syntax_error(name + " needs a date");
        auto d = parse_date(nodes_[i_++]);
        if (!d) return d.error();
        key.date = *d;
        return key;
      }
    }
    if (name == "NOT") {
      key.kind = SearchKeyKind::not_;
      auto k = parse_key(depth + 1);
      if (!k) return k.error();
      key.children.push_back(std::move(*k));
      return key;
    }
    if (name == "OR") {
      key.kind = SearchKeyKind::or_;
      for (int j = 0; j < 2; ++j) {
        auto k = parse_key(depth + 1);
        if (!k) return k.error();
        key.children.push_back(std::move(*k));
      }
      return key;
    }
    if (name == "UID") {
      key.kind = SearchKeyKind::uid;
      if (at_end()) return syntax_error("UID needs a sequence set");
      auto set = parse_sequence_set(nodes_[i_++]);
      if (!set) return set.error();
      key.set = std::move(*set);
      return key;
    }
    if (name == "HEADER") {
      key.kind = SearchKeyKind::header;
      auto field = string_arg(name);
      if (!field) return field.error();
      auto value = string_arg(name);
      if (!value) return value.error();
      key.header = std::move(*field);
      key.text = std::move(*value);
      return key;
    }
    if (name == "KEYWORD" || name == "UNKEYWORD") {
      key.kind = name == "KEYWORD" ? SearchKeyKind::keyword : SearchKeyKind::unkeyword;
      if (at_end() || nodes_[i_].kind != NodeKind::atom) return syntax_error(name + " needs a flag keyword");
      // RFC 9051 §9 search-key KEYWORD flag-keyword; system flags are tolerated
      // (clients send KEYWORD \Seen) and matched as flags.
      auto f = parse_flag(nodes_[i_++].text);
      if (!f) return f.error();
      key.text = std::move(*f);
      return key;
    }
    if (name == "LARGER" || name == "SMALLER") {
      key.kind = name == "LARGER" ? SearchKeyKind::larger : SearchKeyKind::smaller;
      if (at_end()) return syntax_error(name + " needs a number");
      auto v = as_number(nodes_[i_++], kNumber64Max);
      if (!v) return syntax_error(name + " needs a number");
      key.number = *v;
      return key;
    }
    if (name == "OLDER" || name == "YOUNGER") {
      // RFC 5032 §3: interval in seconds, nz-number.
      key.kind = name == "OLDER" ? SearchKeyKind::older : SearchKeyKind::younger;
      if (at_end()) return syntax_error(name + " needs a number of seconds");
      auto v = as_number(nodes_[i_++], UINT32_MAX);
      if (!v || *v == 0) return syntax_error(name + " needs a non-zero number of seconds");
      key.number = *v;
      return key;
    }
    if (name == "EMAILID" || name == "THREADID") {
      key.kind = name == "EMAILID" ? SearchKeyKind::emailid : SearchKeyKind::threadid;
      if (at_end()) return syntax_error(name + " needs an object id");
      auto s = as_astring(nodes_[i_++]);
      if (!s || !valid_objectid(*s)) return syntax_error(name + " needs an object id");
      key.text = std::string(*s);
      return key;
    }
    if (name == "MODSEQ") {
      // RFC 7162 §3.1.5: MODSEQ [entry-name SP entry-type-req] mod-sequence-valzer
      key.kind = SearchKeyKind::modseq;
      if (!at_end() && nodes_[i_].kind == NodeKind::quoted) {
        ModseqEntry e;
        e.name = nodes_[i_++].text;
        if (!istarts_with(e.name, "/flags/")) return syntax_error("invalid MODSEQ entry name");
        if (at_end()) return syntax_error("MODSEQ needs an entry type");
        const Node& t = nodes_[i_++];
        if (is_word(t, "priv")) e.type = ModseqEntry::Type::priv;
        else if (is_word(t, "shared")) e.type = ModseqEntry::Type::shared;
        else if (is_word(t, "all")) e.type = ModseqEntry::Type::all;
        else return syntax_error("invalid MODSEQ entry type");
        key.modseq_entry = std::move(e);
      }
      if (at_end()) return syntax_error("MODSEQ needs a mod-sequence value");
      auto v = as_number(nodes_[i_++], kNumber64Max);
      if (!v) return syntax_error("MODSEQ needs a mod-sequence value");
      key.number = *v;
      return key;
    }
    return syntax_error("unknown search key " + std::string(n.text.substr(0, 64)));
  }

 private:
  Result<std::string> string_arg(const std::string& key) {
    if (at_end()) return syntax_error(key + " needs a string");
    auto s = as_astring(nodes_[i_++]);
    if (!s) return syntax_error(key + " needs a string");
    if (s->size() > limits_.max_string) return syntax_error("search string too long");
    return std::string(*s);
  }

  std::span<const Node> nodes_;
  const SearchLimits& limits_;
  size_t i_ = 0;
  size_t count_ = 0;
};

// [RETURN (opts)] at args[i]; advances i.
Result<uint8_t> parse_return(std::span<const Node> args, size_t& i, bool& extended) {
  if (i >= args.size() || !is_word(args[i], "RETURN")) return uint8_t{0};
  if (i + 1 >= args.size() || args[i + 1].kind != NodeKind::list) return syntax_error("RETURN needs a list of options");
  extended = true;
  uint8_t r = 0;
  for (const auto& o : args[i + 1].children) {
    uint8_t bit = is_word(o, "MIN")     ? kReturnMin
                  : is_word(o, "MAX")   ? kReturnMax
                  : is_word(o, "ALL")   ? kReturnAll
                  : is_word(o, "COUNT") ? kReturnCount
                  : is_word(o, "SAVE")  ? kReturnSave
                                        : 0;
    if (bit == 0) return syntax_error("unknown RETURN option");
    r |= bit;
  }
  if (r == 0) r = kReturnAll;  // RFC 4731 §3.1: "RETURN ()" is ALL
  i += 2;
  return r;
}

Result<std::string> parse_charset(const Node& n) {
  auto s = as_astring(n);
  if (!s || s->empty() || s->size() > 64) return syntax_error("invalid charset");
  return std::string(*s);
}

Result<SearchKey> parse_keys(std::span<const Node> args, size_t i, const SearchLimits& limits) {
  if (i >= args.size()) return syntax_error("missing search criteria");
  KeyParser p(args.subspan(i), limits);
  SearchKey all;
  all.kind = SearchKeyKind::and_;
  while (!p.at_end()) {
    auto k = p.parse_key(1);
    if (!k) return k.error();
    all.children.push_back(std::move(*k));
  }
  return all;
}

}  // namespace

std::string_view search_key_name(SearchKeyKind kind) {
  for (std::span<const SimpleKey> table : {std::span<const SimpleKey>(kNoArg), std::span<const SimpleKey>(kStringArg),
                            std::span<const SimpleKey>(kDateArg)}) {
    for (const auto& k : table) {
      if (k.kind == kind) return k.name;
    }
  }
  switch (kind) {
    case SearchKeyKind::and_: return "AND";
    case SearchKeyKind::or_: return "OR";
    case SearchKeyKind::not_: return "NOT";
    case SearchKeyKind::sequence_set: return "SEQUENCE-SET";
    case SearchKeyKind::uid: return "UID";
    case SearchKeyKind::keyword: return "KEYWORD";
    case SearchKeyKind::unkeyword: return "UNKEYWORD";
    case SearchKeyKind::header: return "HEADER";
    case SearchKeyKind::larger: return "LARGER";
    case SearchKeyKind::smaller: return "SMALLER";
    case SearchKeyKind::older: return "OLDER";
    case SearchKeyKind::younger: return "YOUNGER";
    case SearchKeyKind::modseq: return "MODSEQ";
    case SearchKeyKind::emailid: return "EMAILID";
    case SearchKeyKind::threadid: return "THREADID";
    default: return "?";
  }
}

Result<SearchArgs> parse_search(std::span<const Node> args, const SearchLimits& limits) {
  SearchArgs out;
  size_t i = 0;
  auto r = parse_return(args, i, out.extended);
  if (!r) return r.error();
  out.returns = *r;
  if (i < args.size() && is_word(args[i], "CHARSET")) {
    if (i + 1 >= args.size()) return syntax_error("CHARSET needs a charset name");
    auto cs = parse_charset(args[i + 1]);
    if (!cs) return cs.error();
    out.program.charset = std::move(*cs);
    i += 2;
  }
  auto keys = parse_keys(args, i, limits);
  if (!keys) return keys.error();
  out.program.key = std::move(*keys);
  return out;
}

Result<SortArgs> parse_sort(std::span<const Node> args, const SearchLimits& limits) {
  SortArgs out;
  size_t i = 0;
  auto r = parse_return(args, i, out.extended);
  if (!r) return r.error();
  out.returns = *r;
  if (i >= args.size() || args[i].kind != NodeKind::list || args[i].children.empty()) {
    return syntax_error("SORT needs a list of sort criteria");
  }
  static const std::pair<std::string_view, SortKey> kKeys[] = {
      {"ARRIVAL", SortKey::arrival}, {"CC", SortKey::cc},           {"DATE", SortKey::date},
      {"FROM", SortKey::from},       {"SIZE", SortKey::size},       {"SUBJECT", SortKey::subject},
      {"TO", SortKey::to},           {"DISPLAYFROM", SortKey::display_from}, {"DISPLAYTO", SortKey::display_to},
  };
  bool reverse = false;
  for (const auto& n : args[i].children) {
    if (is_word(n, "REVERSE")) {
      if (reverse) return syntax_error("REVERSE must be followed by a sort key");
      reverse = true;
      continue;
    }
    bool found = false;
    for (const auto& [name, key] : kKeys) {
      if (is_word(n, name)) {
        out.criteria.push_back({key, reverse});
        found = true;
      }
    }
    if (!found) return syntax_error("unknown sort criterion");
    reverse = false;
  }
  if (reverse) return syntax_error("REVERSE must be followed by a sort key");
  if (out.criteria.size() > 16) return syntax_error("too many sort criteria");
  ++i;
  if (i >= args.size()) return syntax_error("SORT needs a charset");
  auto cs = parse_charset(args[i]);
  if (!cs) return cs.error();
  out.program.charset = std::move(*cs);
  auto keys = parse_keys(args, i + 1, limits);
  if (!keys) return keys.error();
  out.program.key = std::move(*keys);
  return out;
}

Result<ThreadArgs> parse_thread(std::span<const Node> args, const SearchLimits& limits) {
  ThreadArgs out;
  if (args.size() < 3) return syntax_error("THREAD needs an algorithm, a charset and search criteria");
  if (is_word(args[0], "ORDEREDSUBJECT")) out.algorithm = ThreadAlgorithm::orderedsubject;
  else if (is_word(args[0], "REFERENCES")) out.algorithm = ThreadAlgorithm::references;
  else if (is_word(args[0], "REFS")) out.algorithm = ThreadAlgorithm::refs;  // draft-ietf-morg-inthread REFS, deployed by Dovecot
  else return syntax_error("unknown THREAD algorithm");
  auto cs = parse_charset(args[1]);
  if (!cs) return cs.error();
  out.program.charset = std::move(*cs);
  auto keys = parse_keys(args, 2, limits);
  if (!keys) return keys.error();
  out.program.key = std::move(*keys);
  return out;
}

}  // namespace postern::imap
