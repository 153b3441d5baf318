// FETCH arguments (RFC 9051 §6.4.5; BINARY from RFC 3516 §4.1; MODSEQ and
// CHANGEDSINCE/VANISHED from RFC 7162 §3.1.4, §3.2.6; EMAILID/THREADID from
// RFC 8474; SAVEDATE from RFC 8514): macros expanded, section specs and
// partials decoded. Parses untrusted input; rendering is the handler's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"
#include "imap/proto/sequence_set.hpp"

namespace postern::imap {

enum class FetchAttr {
  flags, uid, internaldate, rfc822_size,
  rfc822,          // = BODY[] but named RFC822 in the response; sets \Seen
  rfc822_header,   // = BODY.PEEK[HEADER], named RFC822.HEADER
  rfc822_text,     // = BODY[TEXT], named RFC822.TEXT; sets \Seen
  envelope,
  body,            // BODY without section: non-extensible BODYSTRUCTURE
  bodystructure,
  body_section,    // BODY[...] / BODY.PEEK[...]
  binary,          // BINARY[...] / BINARY.PEEK[...]
  binary_size,     // BINARY.SIZE[...]
  modseq, emailid, threadid, savedate,
};

enum class SectionText { none, header, header_fields, header_fields_not, text, mime };

struct Section {
  std::vector<uint32_t> part;       // 1.2.3; empty = the whole message (or its top level)
  SectionText text = SectionText::none;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT] names as sent; compare case-insensitively
};

struct Partial {
  uint64_t offset = 0;
  uint64_t length = 1;  // nz-number64
};

struct FetchItem {
  FetchAttr attr = FetchAttr::flags;
  bool peek = false;               // .PEEK: do not set \Seen
  Section section;                 // body_section, binary, binary_size
  std::optional<Partial> partial;  // body_section, binary

  // The item's name in the FETCH response: "BODY[1.HEADER.FIELDS (FROM)]<0>",
  // "BINARY.SIZE[2]", "RFC822.SIZE"... (RFC 9051 §7.5.2: no .PEEK, origin
  // octet only).
  std::string response_name() const;
  // True when fetching this item sets \Seen (RFC 9051 §6.4.5).
  bool sets_seen() const;
};

struct FetchArgs {
  SequenceSet set;
  std::vector<FetchItem> items;  // in request order, duplicates kept; UID added for UID FETCH,
                                 // MODSEQ added with CHANGEDSINCE (RFC 7162 §3.1.4.1)
  std::optional<uint64_t> changed_since;  // RFC 7162 §3.1.4
  bool vanished = false;                  // RFC 7162 §3.2.6
};

struct FetchLimits {
  size_t max_items = 64;
  size_t max_section_parts = 32;  // depth of 1.2.3...
  size_t max_header_fields = 128;
};

// `args` follow "FETCH"; `uid` is the UID prefix. VANISHED requires UID
// FETCH and CHANGEDSINCE (RFC 7162 §3.2.6: else BAD).
Result<FetchArgs> parse_fetch(std::span<const Node> args, bool uid, const FetchLimits& limits = {});

// One item by name (also used for SEARCH-less tools): "BODY.PEEK[1]<0.10>".
Result<FetchItem> parse_fetch_item(std::string_view text, const FetchLimits& limits = {});

}  // namespace postern::imap
