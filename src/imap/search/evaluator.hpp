// The SEARCH evaluator: decides whether one message matches a search key
// tree (RFC 9051 §6.4.4 with rev1's NEW/OLD/RECENT; MODSEQ RFC 7162 §3.1.5;
// OLDER/YOUNGER RFC 5032; EMAILID/THREADID RFC 8474; SAVED* RFC 8514;
// "$" RFC 5182). Sans-I/O: message content comes through MessageContent,
// which reads lazily through a BlobReader the caller supplies (on a worker
// thread, where blocking is allowed).
//
// Evaluation is in two phases so that the cheapest data decides first:
// match_row() uses only what the session's view holds (flags, UID, MODSEQ)
// and answers yes / no / unknown; only messages left unknown are loaded and
// given to match_message(). Within a tree, AND and OR evaluate their
// cheapest operands first (prepare_search orders them), and content is
// fetched only as far as needed: the cached structure for envelope keys
// (FROM TO CC BCC SUBJECT SENT*), the header section alone for HEADER, the
// whole message for BODY and TEXT.
//
// Thread-safety: a prepared key and a SearchContext are read-only during
// evaluation and may be shared by threads evaluating different messages.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "imap/proto/search_args.hpp"
#include "mime/message_structure.hpp"
#include "store/mail_store.hpp"

namespace postern::imap {

// What a key needs, cheapest first.
enum class SearchNeed : uint8_t {
  row,        // flags, UID, sequence number, MODSEQ: the session's view
  data,       // size, internal date, object ids (store::MessageData)
  structure,  // the envelope cached at delivery
  header,     // the header section of the blob
  message,    // the whole blob
};

// One message as the session's view knows it.
struct MessageFacts {
  uint32_t seq = 0;
  uint32_t uid = 0;
  int64_t modseq = 0;
  int64_t message_id = 0;  // the store's id
  std::string_view flags;  // canonical flag set (store/flags.hpp)
};

struct SearchContext {
  uint32_t exists = 0;                // messages in the view
  uint32_t max_uid = 0;               // highest UID in the view
  std::span<const uint32_t> saved;    // "$": UIDs saved by SEARCH RETURN (SAVE), ascending
  int64_t now = 0;                    // unix seconds, for OLDER / YOUNGER
  // RFC 8474 EMAILID / THREADID of a message (kind is emailid or threadid),
  // from its stored data. Unset: the keys match nothing. Called from
  // several threads at once.
  std::function<std::string(const store::MessageData&, SearchKeyKind)> object_id;
};

// Reads blobs for MessageContent. Blocking; may be called from any thread.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // The first `max_bytes` octets of the blob (all of it when 0).
  virtual Result<std::string> read(const std::string& hash, uint64_t max_bytes) = 0;
};

// The content of one message, loaded on first use and kept for the rest of
// its evaluation. Not thread-safe (one per message and thread).
class MessageContent {
 public:
  MessageContent(const store::MessageData& data, BlobReader& blobs) : data_(data), blobs_(blobs) {}

  const store::MessageData& data() const { return data_; }
  // The structure cached at delivery, or parsed from the blob when the
  // cache is missing or unreadable.
  const mime::MessageStructure& structure();
  // The envelope alone (decoded without the part tree unless the structure
  // already is).
  const mime::Envelope& envelope();
  // The header section with its blank line; only that much of the blob is
  // read unless the whole message is loaded anyway. "" when unreadable.
  std::string_view header();
  // The whole message; "" when the blob cannot be read.
  std::string_view message();
  // A blob read failed (the message then matches no content key).
  bool read_failed() const { return failed_; }

 private:
  const store::MessageData& data_;
  BlobReader& blobs_;
  std::optional<mime::MessageStructure> structure_;
  std::optional<mime::Envelope> envelope_;
  std::optional<std::string> message_;
  std::optional<std::string> header_;
  bool failed_ = false;
};

struct PreparedSearch {
  SearchKey key;
  SearchNeed need = SearchNeed::row;  // the most any message may need
  bool uses_modseq = false;           // a MODSEQ key: report "(MODSEQ n)" (RFC 7162 §3.1.5)
};

// Readies a parsed key tree for evaluation against a view of `exists`
// messages with highest UID `max_uid`: search strings are converted to
// UTF-8 and case-folded, sequence sets resolved, operands ordered by cost.
PreparedSearch prepare_search(SearchKey key, uint32_t exists, uint32_t max_uid);

enum class Verdict : uint8_t { no, yes, unknown };

// Phase one: decides from the facts alone, or unknown.
Verdict match_row(const SearchKey& key, const MessageFacts& m, const SearchContext& ctx);

// Phase two: the full decision, loading content as needed.
bool match_message(const SearchKey& key, const MessageFacts& m, MessageContent& content, const SearchContext& ctx);

// True when `flag` (case-insensitive) is in the canonical flag set `flags`.
bool has_flag(std::string_view flags, std::string_view flag);

}  // namespace postern::imap
