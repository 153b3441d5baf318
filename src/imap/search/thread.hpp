// THREAD algorithms of RFC 5256 §3: ORDEREDSUBJECT and REFERENCES (the
// latter after Jamie Zawinski's algorithm, with the RFC's six steps), and
// the thread response syntax "(3 6 (4 23)(44 7 96))". Plain data; no I/O.
// Input comes from untrusted headers: reference loops, duplicate and
// missing Message-IDs are handled as §3 prescribes. A thread may be as deep
// as the mailbox is large (a chain of replies), so trees are flat arrays of
// nodes and every traversal is iterative: nothing recurses per level.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postern::imap {

struct ThreadMessage {
  uint32_t seq = 0;     // tie-breaker for equal dates (RFC 5256 §2.2)
  uint32_t number = 0;  // what the response lists: seq or UID
  int64_t sent = 0;     // RFC 5256 §2.2 sent date (Date:, else internal date)
  std::string base_subject;    // base_subject(...).text
  bool reply_or_forward = false;
  std::string message_id;      // normalized (parse_msg_ids), "" when absent or invalid
  std::vector<std::string> references;  // normalized: References, else the first In-Reply-To id
};

struct ThreadForest {
  struct Node {
    uint32_t number = 0;  // 0: a dummy (a message referenced but not present)
    std::vector<uint32_t> children;  // indexes into `nodes`, in thread order
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> roots;  // the threads, in order
};

// The msg-ids "<...>" in a References / In-Reply-To / Message-ID value
// (mime::extract_msg_ids: in order, at most the last 64), without brackets
// and normalized so that quoting does not matter (RFC 5256 §3 REFERENCES:
// <"01KF8JCEOCBS0045PS"@xxx.yyy.com> equals <01KF8JCEOCBS0045PS@xxx.yyy.com>):
// quotes, quoted-pair backslashes and white space removed. Ids without an
// "@" between non-empty parts are invalid and skipped.
std::vector<std::string> parse_msg_ids(std::string_view value);

// Threads, oldest first. `messages` in sequence order.
ThreadForest thread_orderedsubject(const std::vector<ThreadMessage>& messages);
ThreadForest thread_references(const std::vector<ThreadMessage>& messages);

// The data of "* THREAD": "(2)(3 6 (4 23)(44 7 96))"; "" for no threads.
std::string render_threads(const ThreadForest& forest);

}  // namespace postern::imap
