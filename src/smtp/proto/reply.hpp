// SMTP replies: the reply value type, the writer for single and multi-line
// replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463, RFC 2034), and
// ReplyOr<T>, the result of a protocol parser whose failure is the reply to send.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace postern::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "2.1.5"; empty only for the greeting and HELO/EHLO (RFC 2034 §3)
  std::string text;
};

// Appends "code SP [enhanced SP] text CRLF". Control characters in `text` are
// replaced by '?', so text that came from a peer or a policy cannot inject
// extra reply lines.
void append_reply(std::string& out, const Reply& reply);

// Appends a multi-line reply: "code-[enhanced ]line" for every line but the
// last, "code [enhanced ]line" for the last (RFC 5321 §4.2.1). An empty `lines`
// writes one line with empty text.
void append_multiline_reply(std::string& out, int code, std::string_view enhanced,
                            const std::vector<std::string>& lines);

std::string format_reply(const Reply& reply);

// A parsed T, or the reply that rejects the input.
template <class T>
class [[nodiscard]] ReplyOr {
 public:
  ReplyOr(T value) : v_(std::move(value)) {}
  ReplyOr(Reply reply) : v_(std::move(reply)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Reply& reply() const { return std::get<1>(v_); }

 private:
  std::variant<T, Reply> v_;
};

}  // namespace postern::smtp
