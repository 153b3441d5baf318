// One SMTP connection: the adapter between a socket and smtp::Session.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>

#include "core/config.hpp"
#include "core/thread_pool.hpp"
#include "net/session_registry.hpp"
#include "net/tls_contexts.hpp"
#include "queue/outbound_queue.hpp"
#include "smtp/server/session.hpp"
#include "store/mail_store.hpp"

namespace postern::guard {
class Guard;
}

namespace postern::net {

struct SmtpServices {
  smtp::SessionOptions options;         // hostname and limits from [smtp]
  unsigned command_timeout_seconds = 300;
  unsigned data_timeout_seconds = 180;
  unsigned line_timeout_seconds = 60;   // a command line must be complete this long after its first byte
  smtp::RecipientPolicy* policy = nullptr;  // thread-safe
  store::MailStore* store = nullptr;
  TlsContexts* tls = nullptr;
  SessionRegistry* registry = nullptr;
  // Submission: AUTH lookups run on `workers` against the directory.
  ThreadPool* workers = nullptr;
  ThreadPool* auth_workers = nullptr;   // password checks (Argon2id), apart from mail work
  std::string database_path;
  bool dev_mode = false;                      // AUTH without TLS from loopback
  std::vector<std::string> trusted_networks;  // smtp.trusted_networks
  guard::Guard* guard = nullptr;              // auth failures and protocol abuse are reported here
  // Hands a message for remote recipients to the outbound queue (the queue
  // runner's submit()); `done` runs on any thread once it is durable or failed.
  std::function<void(queue::NewMessage, std::function<void(Result<int64_t>)>)> enqueue;
};

// Runs the session to completion on the socket's executor. Never throws:
// errors are logged and end the connection politely.
boost::asio::awaitable<void> run_smtp_connection(boost::asio::ip::tcp::socket socket, TlsMode tls_mode,
                                                 SmtpServices& services, bool submission = false);

}  // namespace postern::net
