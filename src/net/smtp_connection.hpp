// One SMTP connection: the adapter between a socket and smtp::Session.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/smtp_listener.hpp"

namespace postern::net {

// Runs the session to completion on the socket's executor. Never throws:
// errors are logged and end the connection politely.
boost::asio::awaitable<void> run_smtp_connection(boost::asio::ip::tcp::socket socket, TlsMode tls_mode,
                                                 SmtpServices& services);

}  // namespace postern::net
