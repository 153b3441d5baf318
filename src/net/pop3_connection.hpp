// One POP3 connection: the adapter between a socket and pop3::Session —
// reads feed the session and its output is written back; it performs the
// session's actions (password check, maildrop lock and snapshot, messages
// streamed from the blob store in chunks, UPDATE through the store's
// committer, STLS and implicit TLS) and runs the autologout timer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "core/config.hpp"
#include "core/thread_pool.hpp"
#include "net/pop3_maildrop.hpp"
#include "net/session_registry.hpp"
#include "net/tls_contexts.hpp"
#include "pop3/session.hpp"
#include "store/mail_store.hpp"

namespace postern::guard {
class Guard;
}

namespace postern::net {

struct Pop3Services {
  std::string hostname;
  bool dev_mode = false;                // plaintext USER/PASS and AUTH allowed on loopback
  pop3::SessionLimits limits;
  unsigned idle_timeout_seconds = 600;  // RFC 1939 §3: autologout after at least 10 minutes
  unsigned line_timeout_seconds = 60;   // a command line must be complete this long after its first byte (slowloris)
  store::MailStore* store = nullptr;
  ThreadPool* workers = nullptr;        // store reads, blob chunks
  ThreadPool* auth_workers = nullptr;   // password checks (Argon2id), apart from mail work
  std::string database_path;            // the directory's database (accounts)
  TlsContexts* tls = nullptr;
  SessionRegistry* registry = nullptr;
  MaildropLocks* locks = nullptr;
  guard::Guard* guard = nullptr;        // failed logins and bad commands are reported here
};

boost::asio::awaitable<void> run_pop3_connection(boost::asio::ip::tcp::socket socket, TlsMode tls_mode,
                                                 Pop3Services& services);

}  // namespace postern::net
