// One IMAP connection: the adapter between a socket and imap::Session —
// reads feed the session, its output is written back, STARTTLS and
// implicit TLS, the autologout timer, and push of the store's change
// notifications to the session (IDLE) without polling.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/config.hpp"
#include "imap/mail_access.hpp"
#include "imap/proto/command_reader.hpp"
#include "net/session_registry.hpp"
#include "net/tls_contexts.hpp"
#include "store/change_notifier.hpp"

namespace postern::guard {
class Guard;
}

namespace postern::net {

struct ImapServices {
  std::string hostname;
  bool dev_mode = false;                 // plaintext LOGIN allowed on loopback
  imap::ReaderLimits limits;
  unsigned login_timeout_seconds = 60;   // before authentication
  unsigned line_timeout_seconds = 60;    // before authentication: a command must be complete this long after it began
  unsigned idle_timeout_seconds = 1800;  // RFC 9051 §5.4: at least 30 minutes
  imap::MailAccess* access = nullptr;
  store::ChangeNotifier* changes = nullptr;
  TlsContexts* tls = nullptr;
  SessionRegistry* registry = nullptr;
  guard::Guard* guard = nullptr;  // failed logins and BAD commands are reported here
};

boost::asio::awaitable<void> run_imap_connection(boost::asio::ip::tcp::socket socket, TlsMode tls_mode,
                                                 ImapServices& services);

}  // namespace postern::net
