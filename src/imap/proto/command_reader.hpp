// The incremental IMAP command reader (sans-I/O): bytes in, in any
// fragmentation; complete parsed commands, continuation requests and errors
// out. Owns literal framing (RFC 9051 §4.3 synchronizing {n}, RFC 7888
// LITERAL+ / LITERAL- {n+}, RFC 3516 literal8 ~{n}) and every size limit, and
// resynchronizes on its own after an error so that the caller only has to
// answer. Parses untrusted network input; never writes anything itself: the
// caller writes the "+" continuation and all responses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {

// Which non-synchronizing literals the server advertised (RFC 7888).
enum class LiteralMode {
  sync_only,      // neither: {n+} is refused
  literal_minus,  // LITERAL-: {n+} only up to 4096 octets (RFC 7888 §4)
  literal_plus,   // LITERAL+: {n+} of any accepted size
};

constexpr uint64_t kLiteralMinusMax = 4096;  // RFC 7888 §4

struct ReaderLimits {
  size_t max_line = 64 * 1024;                 // one line without CRLF
  uint64_t max_literal = 64ull * 1024 * 1024;  // one literal (APPEND message size)
  uint64_t max_command = 80ull * 1024 * 1024;  // all lines + literals of one command
  // A refused non-synchronizing literal is read and thrown away to stay in
  // sync with the client; above this size the reader gives up instead and
  // asks the caller to close the connection.
  uint64_t max_discard = 128ull * 1024 * 1024;
  ParseLimits parse;
  LiteralMode literal_mode = LiteralMode::literal_plus;
  bool binary = true;  // BINARY advertised: ~{n} accepted (RFC 3516 §4.2)
};

// The caller must now send a continuation request ("+ Ready\r\n", see
// response_writer) for a synchronizing literal.
struct ContinuationRequest {};

// Nothing more can be produced until more bytes are fed.
struct NeedMore {};

// Response code that goes with a reader error.
enum class ReaderCode { none, too_big };

// A command that could not be read. `error.kind` is syntax (answer
// "tag BAD [code] message") or user (answer "tag NO [code] message"). The
// reader has already skipped the rest of the bad command (unless `close`).
struct ReaderError {
  std::string tag;  // "*" when no valid tag could be read
  ReaderCode code = ReaderCode::none;
  Error error;
  bool close = false;  // the stream cannot be resynchronized: answer, then close the connection
};

using ReaderEvent = std::variant<NeedMore, ContinuationRequest, Command, ReaderError>;

class CommandReader {
 public:
  explicit CommandReader(ReaderLimits limits = {}) : limits_(limits) {}

  // Appends received bytes. Cheap; all work happens in next().
  void feed(std::string_view bytes);

  // Returns the next event; call until it yields NeedMore. Errors do not stop
  // the reader (except one with close = true, after which it only yields
  // NeedMore). Events come in stream order: a ContinuationRequest always
  // precedes the Command that contains its literal.
  ReaderEvent next();

  // Limits may change between commands (e.g. LITERAL+ after ENABLE, a
  // per-user APPENDLIMIT after LOGIN); takes effect from the next line.
  void set_limits(const ReaderLimits& limits) { limits_ = limits; }
  const ReaderLimits& limits() const { return limits_; }

  // True when no partial command is buffered (between commands): the caller
  // may then shrink buffers or hand the connection to IDLE/STARTTLS.
  bool idle() const;
  // Bytes received but not yet consumed (e.g. pipelined after STARTTLS: the
  // caller must reject them, RFC 9051 §11.1 / CVE-2011-0411 style injection).
  size_t buffered() const { return buf_.size() - pos_; }
  // Drops all buffered, unconsumed bytes and any partial command.
  void reset();

 private:
  enum class State { line, literal, discard_line, discard_literal, closed };

  struct Announcement {
    bool present = false;
    bool binary = false;
    bool non_sync = false;
    bool overflow = false;  // the length did not fit 63 bits
    uint64_t size = 0;
  };

  std::optional<ReaderEvent> on_line(std::string line);
  ReaderEvent refuse(std::string tag, Announcement a, ReaderCode code, Error error);
  ReaderEvent fail_line(std::string tag, Announcement a, Error error);
  std::optional<ReaderError> after_discarded_line(std::string_view tail);
  static Announcement find_announcement(std::string_view line, bool quote_aware = true);
  void clear_command();
  void compact();

  ReaderLimits limits_;
  std::string buf_;
  size_t pos_ = 0;        // first unconsumed byte in buf_
  size_t scan_from_ = 0;  // where to continue looking for LF in the current line
  State state_ = State::line;
  uint64_t remaining_ = 0;  // octets left in the literal being read or discarded
  std::string discard_tail_;  // last bytes of a line being discarded (to spot a literal announcement)
  std::optional<ReaderError> pending_;  // a second error found with the first (see on_line)
  std::vector<std::string> lines_;
  std::vector<LiteralData> literals_;
  uint64_t command_size_ = 0;
};

}  // namespace postern::imap
