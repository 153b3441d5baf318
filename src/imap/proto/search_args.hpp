// SEARCH arguments (RFC 9051 §6.4.4 every search-key, with rev1's NEW/OLD/
// RECENT; MODSEQ from RFC 7162 §3.1.5; OLDER/YOUNGER RFC 5032; EMAILID/
// THREADID RFC 8474; SAVED* RFC 8514; RETURN options RFC 4731 / RFC 9051
// incl. SAVE from RFC 5182), and SORT (RFC 5256 §3, DISPLAYFROM/TO RFC 5957)
// and THREAD (RFC 5256 §3) which share the search program. Parses untrusted
// input into a key tree; evaluation lives in the search evaluator.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/datetime.hpp"
#include "imap/proto/parse_tree.hpp"
#include "imap/proto/sequence_set.hpp"

namespace postern::imap {

enum class SearchKeyKind {
  all, and_, or_, not_,
  sequence_set, uid,
  answered, deleted, draft, flagged, seen, recent, new_, old,
  unanswered, undeleted, undraft, unflagged, unseen,
  keyword, unkeyword,
  bcc, body, cc, from, subject, text, to, header,
  before, on, since, sent_before, sent_on, sent_since,
  saved_before, saved_on, saved_since, savedate_supported,
  larger, smaller, older, younger,
  modseq, emailid, threadid,
};

struct ModseqEntry {
  std::string name;  // "/flags/\\Seen" as sent (unescaped)
  enum class Type { priv, shared, all } type = Type::all;
};

struct SearchKey {
  SearchKeyKind kind = SearchKeyKind::all;
  std::vector<SearchKey> children;  // and_: >= 1; or_: exactly 2; not_: exactly 1
  std::string text;                 // string keys, keyword/unkeyword (flag), header value, emailid/threadid
  std::string header;               // HEADER field name
  Date date;                        // date keys
  uint64_t number = 0;              // larger/smaller (octets), older/younger (seconds), modseq
  SequenceSet set;                  // sequence_set, uid (may be "$")
  std::optional<ModseqEntry> modseq_entry;
};

// The IMAP keyword of a key kind ("FROM", "SENTBEFORE", "UID"); "AND" for
// a parenthesized group, "SEQUENCE-SET" for a bare set. For logs and tests.
std::string_view search_key_name(SearchKeyKind kind);

// RETURN options (bit set).
enum SearchReturn : uint8_t {
  kReturnMin = 1, kReturnMax = 2, kReturnAll = 4, kReturnCount = 8, kReturnSave = 16,
};

struct SearchProgram {
  std::optional<std::string> charset;  // as sent; the handler answers NO [BADCHARSET] for unknown ones
  SearchKey key;                       // and_ of the top-level keys
};

struct SearchArgs {
  bool extended = false;  // RETURN given: answer with ESEARCH (RFC 4731 §3.1)
  uint8_t returns = 0;    // SearchReturn bits; "RETURN ()" means ALL
  SearchProgram program;
};

struct SearchLimits {
  size_t max_depth = 32;    // nesting of NOT/OR/()
  size_t max_keys = 1000;   // search keys in one program
  size_t max_string = 4096; // one string argument
};

// `args` follow "SEARCH": [RETURN (opts)] [CHARSET x] key *(SP key).
Result<SearchArgs> parse_search(std::span<const Node> args, const SearchLimits& limits = {});

enum class SortKey { arrival, cc, date, from, size, subject, to, display_from, display_to };
struct SortCriterion {
  SortKey key = SortKey::arrival;
  bool reverse = false;
};

struct SortArgs {
  bool extended = false;  // RETURN given (ESORT, RFC 5267)
  uint8_t returns = 0;
  std::vector<SortCriterion> criteria;
  SearchProgram program;  // charset is mandatory here
};

// `args` follow "SORT": [RETURN (opts)] (criteria) charset key *(SP key).
Result<SortArgs> parse_sort(std::span<const Node> args, const SearchLimits& limits = {});

enum class ThreadAlgorithm { orderedsubject, references, refs };
struct ThreadArgs {
  ThreadAlgorithm algorithm = ThreadAlgorithm::references;
  SearchProgram program;
};

// `args` follow "THREAD": algorithm charset key *(SP key).
Result<ThreadArgs> parse_thread(std::span<const Node> args, const SearchLimits& limits = {});

}  // namespace postern::imap
