// SEARCH / SORT / ESEARCH responses (RFC 9051 §7.3.4, RFC 4731 §3.1,
// RFC 5267 §3.1, RFC 7162 §3.1.5) and RETURN (SAVE) selection (RFC 5182).
#include <gtest/gtest.h>

#include "imap/proto/search_args.hpp"
#include "imap/search/search_response.hpp"

namespace postern::imap {
namespace {

SearchResult result(std::vector<uint32_t> n, std::vector<int64_t> m = {}) {
  if (m.empty()) m.assign(n.size(), 1);
  return SearchResult{std::move(n), std::move(m)};
}

std::string esearch(uint8_t returns, const SearchResult& r, bool uid = false, bool modseq = false) {
  std::string out;
  append_esearch(out, "A1", uid, returns, r, modseq);
  return out;
}

TEST(SearchResponseTest, OrderedSets) {
  EXPECT_EQ(format_ordered_set({}), "");
  EXPECT_EQ(format_ordered_set({1, 2, 3, 5, 7, 8}), "1:3,5,7:8");
  EXPECT_EQ(format_ordered_set({5, 4, 3, 9, 10}), "5,4,3,9:10");  // sort order is kept
  EXPECT_EQ(format_ordered_set({4294967294u, 4294967295u}), "4294967294:4294967295");
}

TEST(SearchResponseTest, SearchAndSort) {
  std::string out;
  append_search_response(out, "SEARCH", result({2, 5, 6}, {7, 9, 3}), false);
  append_search_response(out, "SEARCH", result({2, 5, 6}, {7, 9, 3}), true);
  append_search_response(out, "SEARCH", result({}), true);
  append_search_response(out, "SORT", result({6, 2}), false);
  EXPECT_EQ(out,
            "* SEARCH 2 5 6\r\n"
            "* SEARCH 2 5 6 (MODSEQ 9)\r\n"
            "* SEARCH\r\n"
            "* SORT 6 2\r\n");
}

TEST(SearchResponseTest, Esearch) {
  auto r = result({2, 3, 4, 9}, {5, 8, 1, 2});
  EXPECT_EQ(esearch(kReturnAll, r), "* ESEARCH (TAG \"A1\") ALL 2:4,9\r\n");
  EXPECT_EQ(esearch(kReturnMin | kReturnMax | kReturnCount, r, true),
            "* ESEARCH (TAG \"A1\") UID MIN 2 MAX 9 COUNT 4\r\n");
  EXPECT_EQ(esearch(kReturnMin | kReturnMax | kReturnAll | kReturnCount, r),
            "* ESEARCH (TAG \"A1\") MIN 2 MAX 9 ALL 2:4,9 COUNT 4\r\n");
  // Nothing found: only COUNT is given (RFC 4731 §3.1).
  EXPECT_EQ(esearch(kReturnMin | kReturnAll | kReturnCount, result({}), true, true),
            "* ESEARCH (TAG \"A1\") UID COUNT 0\r\n");
  EXPECT_EQ(esearch(kReturnAll, result({})), "* ESEARCH (TAG \"A1\")\r\n");
  // MODSEQ: the highest of the messages the response names.
  EXPECT_EQ(esearch(kReturnAll, r, false, true), "* ESEARCH (TAG \"A1\") ALL 2:4,9 MODSEQ 8\r\n");
  EXPECT_EQ(esearch(kReturnMin, r, false, true), "* ESEARCH (TAG \"A1\") MIN 2 MODSEQ 5\r\n");
  EXPECT_EQ(esearch(kReturnMax, r, false, true), "* ESEARCH (TAG \"A1\") MAX 9 MODSEQ 2\r\n");
  EXPECT_EQ(esearch(kReturnCount, r, false, true), "* ESEARCH (TAG \"A1\") COUNT 4 MODSEQ 8\r\n");
  // ESORT: ALL in sort order, MIN/MAX the first/last of it.
  EXPECT_EQ(esearch(kReturnMin | kReturnMax | kReturnAll, result({9, 2, 3, 4})),
            "* ESEARCH (TAG \"A1\") MIN 9 MAX 4 ALL 9,2:4\r\n");
}

TEST(SearchResponseTest, SavedSelection) {
  auto r = result({2, 3, 4, 9});
  using V = std::vector<size_t>;
  EXPECT_EQ(saved_selection(kReturnSave, r), (V{0, 1, 2, 3}));
  EXPECT_EQ(saved_selection(kReturnSave | kReturnMin, r), (V{0}));
  EXPECT_EQ(saved_selection(kReturnSave | kReturnMax, r), (V{3}));
  EXPECT_EQ(saved_selection(kReturnSave | kReturnMin | kReturnMax, r), (V{0, 3}));
  EXPECT_EQ(saved_selection(kReturnSave | kReturnMin | kReturnCount, r), (V{0, 1, 2, 3}));
  EXPECT_EQ(saved_selection(kReturnSave | kReturnMin | kReturnMax, result({7})), (V{0}));
  EXPECT_EQ(saved_selection(kReturnSave | kReturnMin, result({})), V{});
}

}  // namespace
}  // namespace postern::imap
