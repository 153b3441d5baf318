// CommandReader: line and literal framing, limits and resynchronization.
// A line ending in {n}, {n+} or ~{n} outside a quoted string announces a
// literal even where the grammar does not allow one, because that is what the
// client will send: framing must follow the client, or the literal's octets
// would be read as the next command (command injection).
#include "imap/proto/command_reader.hpp"

#include <algorithm>
#include <utility>

namespace postern::imap {
namespace {

constexpr size_t kTailKeep = 32;  // enough for "~{9223372036854775807+}"
constexpr uint64_t kNumber64Max = 9223372036854775807ull;  // RFC 9051 §9 number64

constexpr size_t kMaxErrorTag = 64;

// The tag to answer an error with. Only the first min(64, max_line) + 1
// octets are looked at, so a too-long line gives the same tag whether it
// arrived whole or was cut off at the line limit; longer tags get "*".
std::string tag_of(std::string_view line, size_t max_line) {
  const size_t max_tag = std::min(kMaxErrorTag, max_line);
  std::string_view window = line.substr(0, max_tag + 1);
  size_t sp = window.find(' ');
  if (sp == std::string_view::npos && window.size() > max_tag) return "*";
  std::string_view t = window.substr(0, sp);
  return is_valid_tag(t) ? std::string(t) : std::string("*");
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

void CommandReader::feed(std::string_view bytes) {
  if (state_ == State::closed) return;
  buf_.append(bytes);
}

bool CommandReader::idle() const { return state_ == State::line && lines_.empty() && buffered() == 0; }

void CommandReader::reset() {
  pending_.reset();
  buf_.clear();
  pos_ = scan_from_ = 0;
  if (state_ != State::closed) state_ = State::line;
  remaining_ = 0;
  discard_tail_.clear();
  clear_command();
}

void CommandReader::clear_command() {
  lines_.clear();
  literals_.clear();
  command_size_ = 0;
}

void CommandReader::compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = scan_from_ = 0;
  } else if (pos_ > 65536 && pos_ > buf_.size() / 2) {
    buf_.erase(0, pos_);
    scan_from_ -= pos_;
    pos_ = 0;
  }
}

CommandReader::Announcement CommandReader::find_announcement(std::string_view line, bool quote_aware) {
  Announcement a;
  if (line.empty() || line.back() != '}') return a;
  // The announcement must not sit inside a quoted string ("x{3}" is not one).
  bool in_quote = false;
  for (size_t i = 0; quote_aware && i < line.size(); ++i) {
    if (in_quote) {
      if (line[i] == '\\') ++i;
      else if (line[i] == '"') in_quote = false;
    } else if (line[i] == '"') {
      in_quote = true;
    }
  }
  if (in_quote) return a;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return a;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  if (!inner.empty() && inner.back() == '+') {
    a.non_sync = true;
    inner.remove_suffix(1);
  }
  if (inner.empty()) return a;
  uint64_t v = 0;
  for (char c : inner) {
    if (c < '0' || c > '9') return a;
    if (v > (kNumber64Max - static_cast<uint64_t>(c - '0')) / 10) a.overflow = true;
    if (!a.overflow) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  a.present = true;
  a.size = a.overflow ? UINT64_MAX : v;
  a.binary = open > 0 && line[open - 1] == '~';
  return a;
}

ReaderEvent CommandReader::next() {
  if (pending_) {
    ReaderError e = std::move(*pending_);
    pending_.reset();
    return e;
  }
  for (;;) {
    switch (state_) {
      case State::closed:
        return NeedMore{};

      case State::literal:
      case State::discard_literal: {
        uint64_t take = std::min<uint64_t>(remaining_, buf_.size() - pos_);
        if (state_ == State::literal) literals_.back().octets.append(buf_, pos_, take);
        pos_ += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          compact();
          return NeedMore{};
        }
        state_ = state_ == State::literal ? State::line : State::discard_line;
        continue;
      }

      case State::discard_line: {
        size_t nl = buf_.find('\n', pos_);
        if (nl == std::string::npos) {
          discard_tail_.append(buf_, pos_);
          if (discard_tail_.size() > kTailKeep) discard_tail_.erase(0, discard_tail_.size() - kTailKeep);
          pos_ = buf_.size();
          compact();
          return NeedMore{};
        }
        discard_tail_.append(buf_, pos_, nl - pos_);
        pos_ = nl + 1;
        scan_from_ = pos_;
        std::string tail = std::move(discard_tail_);
        discard_tail_.clear();
        if (auto err = after_discarded_line(strip_cr(tail))) return std::move(*err);
        continue;
      }

      case State::line: {
        size_t nl = buf_.find('\n', std::max(pos_, scan_from_));
        if (nl == std::string::npos) {
          scan_from_ = buf_.size();
          if (buf_.size() - pos_ > limits_.max_line + 1) {
            std::string tag = tag_of(lines_.empty() ? std::string_view(buf_).substr(pos_) : lines_.front(), limits_.max_line);
            discard_tail_ = buf_.substr(std::max(pos_, buf_.size() - std::min(buf_.size(), kTailKeep)));
            pos_ = buf_.size();
            clear_command();
            state_ = State::discard_line;
            compact();
            return ReaderError{tag, ReaderCode::too_big,
                               syntax_error("command line too long (max " + std::to_string(limits_.max_line) + " octets)")};
          }
          compact();
          return NeedMore{};
        }
        std::string line = buf_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
        scan_from_ = pos_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto ev = on_line(std::move(line));
        compact();
        if (ev) return std::move(*ev);
        continue;
      }
    }
  }
}

std::optional<ReaderEvent> CommandReader::on_line(std::string line) {
  std::string tag = tag_of(lines_.empty() ? std::string_view(line) : std::string_view(lines_.front()), limits_.max_line);
  if (line.size() > limits_.max_line) {
    // Same outcome as when the limit is passed before the LF arrives (see
    // next()): the error first, then framing by the line's last octets only,
    // so the events never depend on how the input was fragmented.
    clear_command();
    ReaderError err{std::move(tag), ReaderCode::too_big,
                    syntax_error("command line too long (max " + std::to_string(limits_.max_line) + " octets)")};
    std::string_view tail = std::string_view(line).substr(line.size() - std::min(line.size(), kTailKeep));
    pending_ = after_discarded_line(tail);
    return err;
  }
  Announcement a = find_announcement(line);
  command_size_ += line.size() + 2;
  if (command_size_ > limits_.max_command) {
    return fail_line(std::move(tag), a,
                     syntax_error("command too large (max " + std::to_string(limits_.max_command) + " octets)"));
  }
  if (!a.present) {
    lines_.push_back(std::move(line));
    std::string parse_tag;
    auto parsed = parse_command(lines_, literals_, limits_.parse, &parse_tag);
    clear_command();
    if (!parsed) return ReaderError{std::move(parse_tag), ReaderCode::none, parsed.error()};
    return std::move(parsed).value();
  }
  const std::string n = a.overflow ? std::string("2^63 or more") : std::to_string(a.size);
  if (a.binary && !limits_.binary) {
    return refuse(std::move(tag), a, ReaderCode::none, syntax_error("literal8 ~{n} needs the BINARY extension"));
  }
  if (a.non_sync && limits_.literal_mode == LiteralMode::sync_only) {
    return refuse(std::move(tag), a, ReaderCode::none, syntax_error("non-synchronizing literals are not supported"));
  }
  if (a.overflow || a.size > limits_.max_literal) {
    // RFC 9051 §7.1 TOOBIG; a well-formed request we will not take: NO.
    return refuse(std::move(tag), a, ReaderCode::too_big,
                  user_error("literal of " + n + " octets exceeds the limit of " +
                             std::to_string(limits_.max_literal) + " octets"));
  }
  if (a.non_sync && limits_.literal_mode == LiteralMode::literal_minus && a.size > kLiteralMinusMax) {
    // RFC 7888 §4: with LITERAL- a larger {n+} gets BAD [TOOBIG].
    return refuse(std::move(tag), a, ReaderCode::too_big,
                  syntax_error("non-synchronizing literal of " + n + " octets exceeds 4096 (LITERAL-)"));
  }
  if (command_size_ + a.size > limits_.max_command) {
    return refuse(std::move(tag), a, ReaderCode::too_big,
                  syntax_error("command too large (max " + std::to_string(limits_.max_command) + " octets)"));
  }
  lines_.push_back(std::move(line));
  literals_.push_back(LiteralData{{}, a.binary});
  // Reserve modestly: an announced size is a claim, not memory we owe the peer.
  literals_.back().octets.reserve(static_cast<size_t>(std::min<uint64_t>(a.size, 65536)));
  command_size_ += a.size;
  remaining_ = a.size;
  state_ = State::literal;
  if (!a.non_sync) return ContinuationRequest{};
  return std::nullopt;
}

ReaderEvent CommandReader::refuse(std::string tag, Announcement a, ReaderCode code, Error error) {
  clear_command();
  ReaderError err{std::move(tag), code, std::move(error)};
  if (!a.non_sync) {
    // The client waits for a continuation that never comes; our tagged
    // answer ends the command on its side (RFC 9051 §4.3).
    state_ = State::line;
    return err;
  }
  if (a.overflow || a.size > limits_.max_discard) {
    err.close = true;
    state_ = State::closed;
    return err;
  }
  // The client sends {n+} octets without waiting: swallow them, then the rest
  // of the command.
  state_ = State::discard_literal;
  remaining_ = a.size;
  return err;
}

ReaderEvent CommandReader::fail_line(std::string tag, Announcement a, Error error) {
  clear_command();
  ReaderError err{std::move(tag), ReaderCode::too_big, std::move(error)};
  if (a.present && a.non_sync) {
    if (a.overflow || a.size > limits_.max_discard) {
      err.close = true;
      state_ = State::closed;
      return err;
    }
    state_ = State::discard_literal;
    remaining_ = a.size;
  } else {
    state_ = State::line;
  }
  return err;
}

std::optional<ReaderError> CommandReader::after_discarded_line(std::string_view tail) {
  // Quote state is unknown for a partially kept line: frame by the last
  // kTailKeep octets only, the same however the line was fragmented.
  tail = tail.substr(tail.size() - std::min(tail.size(), kTailKeep));
  Announcement a = find_announcement(tail, false);
  if (a.present && a.non_sync) {
    if (a.overflow || a.size > limits_.max_discard) {
      state_ = State::closed;
      return ReaderError{"*", ReaderCode::too_big, syntax_error("oversized non-synchronizing literal; closing"), true};
    }
    state_ = State::discard_literal;
    remaining_ = a.size;
    return std::nullopt;
  }
  state_ = State::line;  // no literal, or a synchronizing one the client will not send
  return std::nullopt;
}

}  // namespace postern::imap
