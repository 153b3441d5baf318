// Rendering of SEARCH / SORT / ESEARCH results.
#include "imap/search/search_response.hpp"

#include <algorithm>

#include "imap/proto/response_writer.hpp"
#include "imap/proto/search_args.hpp"

namespace postern::imap {
namespace {

bool only_min_max(uint8_t returns) {
  return (returns & (kReturnMin | kReturnMax)) != 0 && (returns & (kReturnAll | kReturnCount)) == 0;
}

int64_t highest(const SearchResult& r, const std::vector<size_t>& which) {
  int64_t h = 0;
  for (size_t i : which) h = std::max(h, r.modseqs.at(i));
  return h;
}

std::vector<size_t> all_indexes(const SearchResult& r) {
  std::vector<size_t> v(r.numbers.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

}  // namespace

std::string format_ordered_set(const std::vector<uint32_t>& n) {
  std::string out;
  size_t i = 0;
  while (i < n.size()) {
    size_t j = i;
    while (j + 1 < n.size() && n[j] != UINT32_MAX && n[j + 1] == n[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(n[i]);
    if (j > i) out += ':' + std::to_string(n[j]);
    i = j + 1;
  }
  return out;
}

void append_search_response(std::string& out, std::string_view name, const SearchResult& r, bool with_modseq) {
  ResponseBuilder b(out);
  b.untagged().atom(name);
  for (uint32_t n : r.numbers) b.number(n);
  if (with_modseq && !r.numbers.empty())
    b.open().atom("MODSEQ").number(static_cast<uint64_t>(highest(r, all_indexes(r)))).close();
  b.end();
}

void append_esearch(std::string& out, std::string_view tag, bool uid, uint8_t returns, const SearchResult& r,
                    bool with_modseq) {
  ResponseBuilder b(out);
  b.untagged().atom("ESEARCH").open().atom("TAG").string(tag).close();
  if (uid) b.atom("UID");
  bool any = !r.numbers.empty();
  if (any && (returns & kReturnMin)) b.atom("MIN").number(r.numbers.front());
  if (any && (returns & kReturnMax)) b.atom("MAX").number(r.numbers.back());
  if (any && (returns & kReturnAll)) b.atom("ALL").atom(format_ordered_set(r.numbers));
  if (returns & kReturnCount) b.atom("COUNT").number(r.numbers.size());
  if (with_modseq && any) {
    std::vector<size_t> named = only_min_max(returns) ? saved_selection(returns, r) : all_indexes(r);
    b.atom("MODSEQ").number(static_cast<uint64_t>(highest(r, named)));
  }
  b.end();
}

std::vector<size_t> saved_selection(uint8_t returns, const SearchResult& r) {
  if (r.numbers.empty() || !only_min_max(returns)) return all_indexes(r);
  std::vector<size_t> v;
  if (returns & kReturnMin) v.push_back(0);
  if ((returns & kReturnMax) && !(v.size() == 1 && r.numbers.size() == 1)) v.push_back(r.numbers.size() - 1);
  return v;
}

}  // namespace postern::imap
