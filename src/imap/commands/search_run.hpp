// Running a search program over the selected mailbox, shared by SEARCH,
// SORT and THREAD (RFC 5256: they take the same search keys): the CHARSET
// check, phase one of the evaluator (imap/search/evaluator.hpp) on the
// session's view, and phase two for the undecided messages on the worker
// pool through MailAccess::scan_messages, so the event loop never reads a
// blob. Only <boost/asio/awaitable.hpp> is reachable from here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "imap/proto/search_args.hpp"
#include "imap/search/evaluator.hpp"
#include "imap/session/context.hpp"

namespace postern::imap {

// Called on a worker thread for every match when the command needs more
// than the verdict (SORT keys, THREAD ids). Runs concurrently for different
// messages: it may only write state of its own `seq` (and must own it, see
// MailAccess::scan_messages).
using MatchCollector = std::function<void(uint32_t seq, const MessageFacts& facts, MessageContent& content)>;

struct SearchMatches {
  std::vector<uint32_t> seqs;  // ascending
  bool uses_modseq = false;    // a MODSEQ key was used (RFC 7162 §3.1.5 "(MODSEQ n)")
};

// RFC 9051 §6.4.4: the charsets search strings may be sent in.
bool search_charset_supported(const std::optional<std::string>& charset);

// Evaluates `program` against every message of the selected mailbox. On
// failure the tagged reply is set (NO [BADCHARSET (UTF-8 US-ASCII)], or
// the store's error) and nullopt returned. A MODSEQ key turns CONDSTORE on
// (RFC 7162 §3.1).
Task<std::optional<SearchMatches>> run_search(SessionContext& s, std::string tag, SearchProgram program,
                                              MatchCollector collect);

}  // namespace postern::imap
