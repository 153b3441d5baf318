// The responses that carry search results: "* SEARCH" / "* SORT" (RFC 9051
// §7.3.4 rev1 form, RFC 5256 §4) with "(MODSEQ n)" (RFC 7162 §3.1.5), and
// "* ESEARCH" (RFC 4731 §3.1, RFC 9051 §7.3.4) with the ESORT reading of
// RFC 5267 §3.1; and which messages RETURN (SAVE) keeps (RFC 5182 §2.1).
// Plain functions writing into a string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::imap {

struct SearchResult {
  std::vector<uint32_t> numbers;  // sequence numbers or UIDs: ascending, or in SORT order
  std::vector<int64_t> modseqs;   // MODSEQ of each, parallel to `numbers`
};

// "1:3,5,9" with runs of consecutive ascending numbers as ranges; the order
// of `numbers` is kept (ESORT ALL lists the sort order).
std::string format_ordered_set(const std::vector<uint32_t>& numbers);

// "* SEARCH 2 5 6 (MODSEQ 917162500)\r\n" (name "SEARCH" or "SORT"). With
// `with_modseq` (a MODSEQ key was used) and at least one number, the
// highest MODSEQ of the listed messages follows.
void append_search_response(std::string& out, std::string_view name, const SearchResult& r, bool with_modseq);

// "* ESEARCH (TAG "a1") UID MIN 2 MAX 9 ALL 2,5:9 COUNT 6 MODSEQ 42\r\n".
// MIN/MAX/ALL are left out when nothing matched (RFC 4731 §3.1); COUNT is
// always given when asked. MODSEQ (with `with_modseq`) is the highest of
// the messages the response names: all matches, or only the MIN/MAX ones
// when neither ALL nor COUNT was asked (RFC 7162 §3.1.5). `returns` holds
// SearchReturn bits (search_args.hpp); SAVE alone is not written here
// (RFC 5182 §2.1: no ESEARCH then; the caller checks).
void append_esearch(std::string& out, std::string_view tag, bool uid, uint8_t returns, const SearchResult& r,
                    bool with_modseq);

// Indexes into r.numbers that RETURN (SAVE) keeps: with MIN and/or MAX but
// neither ALL nor COUNT only those messages, else all of them.
std::vector<size_t> saved_selection(uint8_t returns, const SearchResult& r);

}  // namespace postern::imap
