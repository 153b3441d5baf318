// Fuzzes the POP3 session (pop3/) as net/pop3_connection drives it:
// arbitrary bytes in arbitrary fragments, logins answered from the user
// name, messages streamed in small chunks, UPDATE and STLS completed. The
// first two input bytes pick the options and the fragmentation. Checks that
// every reply line is "+OK", "-ERR", "+ " or a multi-line body line ending
// in CRLF, that a streamed message body is byte-stuffed and terminated, and
// that UPDATE happens at most once, at the end of the session.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pop3/session.hpp"

namespace {

using namespace postern;
using namespace postern::pop3;

const std::string kMessages[] = {
    "Subject: a\r\n\r\n.leading dot\r\nbody\r\n",
    "no header, bare LF\n.\n..\nlast line without end",
    "",
};

// Every line ends in CRLF and has no other CR or LF.
void check_lines(std::string_view out) {
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\r\n", start);
    if (end == std::string_view::npos) std::abort();
    std::string_view line = out.substr(start, end - start);
    if (line.find('\n') != std::string_view::npos) std::abort();
    start = end + 2;
  }
}

// A RETR/TOP reply that started with +OK: its body lines starting with '.'
// are stuffed ("..") until the terminator line ".".
void check_message_reply(std::string_view out) {
  if (out.rfind("+OK", 0) != 0) return;
  size_t start = out.find("\r\n") + 2;
  while (start < out.size()) {
    size_t end = out.find("\r\n", start);
    std::string_view line = out.substr(start, end - start);
    if (line == ".") return;
    if (!line.empty() && line[0] == '.' && line.rfind("..", 0) != 0) std::abort();
    start = end + 2;
  }
  std::abort();  // no terminator
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t flags = data[0];
  uint8_t fragmentation = data[1];
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  SessionOptions options;
  options.hostname = "mail.example.test";
  options.tls_active = flags & 1;
  options.starttls_available = flags & 2;
  options.plaintext_auth_allowed = flags & 4;
  if (flags & 8) options.limits.max_line = 32;
  options.limits.max_errors = (flags & 16) ? 2 : 1000;
  Session session(options);
  check_lines(session.greeting());

  bool updated = false;
  uint32_t rng = fragmentation * 2654435761u + 1;
  size_t pos = 0;
  while (pos < input.size()) {
    rng = rng * 1103515245u + 12345u;
    size_t len = fragmentation == 0 ? input.size() : 1 + (rng >> 16) % (fragmentation % 64 + 1);
    len = std::min(len, input.size() - pos);
    std::string_view piece = input.substr(pos, len);
    session.receive(piece);
    pos += len;
    for (int guard = 0; guard < 100000; ++guard) {
      check_lines(session.take_output());
      auto action = session.next_action();
      if (action == Session::Action::login) {
        const LoginRequest& req = session.login_request();
        LoginResult r;
        r.outcome = static_cast<LoginResult::Outcome>(req.user.size() % 4);
        if (r.outcome == LoginResult::Outcome::ok) {
          r.maildrop.mailbox_id = 1;
          r.maildrop.uidvalidity = static_cast<uint32_t>(req.password.size());
          for (uint32_t i = 0; i < 3; ++i)
            r.maildrop.messages.push_back({i + 1, i + 10, kMessages[i].size(), std::to_string(i)});
        }
        session.login_done(std::move(r));
      } else if (action == Session::Action::send_message) {
        const MessageRequest& req = session.message_request();
        size_t index = std::stoul(req.message.blob_hash);
        if (index > 2) std::abort();
        const std::string& m = kMessages[index];
        size_t chunk = 1 + (rng >> 8) % 7;
        bool fail = (rng >> 4) % 11 == 0;
        for (size_t i = 0; i < m.size() && !fail; i += chunk)
          if (!session.message_chunk(std::string_view(m).substr(i, chunk))) break;
        session.message_end(fail ? Status(temporary_error("x")) : Status(Ok{}));
        std::string out = session.take_output();
        check_lines(out);
        if (!fail) check_message_reply(out);
        if (out.rfind("+OK", 0) != 0 && out.rfind("-ERR", 0) != 0) std::abort();
      } else if (action == Session::Action::update) {
        if (updated || session.update_request().uids.empty()) std::abort();
        updated = true;
        session.update_done((rng & 1) ? Status(Ok{}) : Status(temporary_error("x")));
      } else if (action == Session::Action::start_tls) {
        if (!options.starttls_available || options.tls_active) std::abort();
        session.tls_established();
      } else {
        break;
      }
    }
    if (session.next_action() == Session::Action::close) return 0;
  }
  session.on_timeout();
  check_lines(session.take_output());
  if (session.next_action() != Session::Action::close) std::abort();
  return 0;
}
