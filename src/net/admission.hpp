// Admission of a new connection, shared by the SMTP, IMAP and POP3
// adapters: register it within the connection limits, or answer in the
// protocol's own words (inside TLS on implicit-TLS ports), log the refusal
// and close.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>

#include "net/connection_stream.hpp"
#include "net/session_registry.hpp"

namespace postern::net {

// The complete reply lines (with CRLF) for each reason of refusal.
struct RefusalReplies {
  std::string shutting_down;
  std::string server_full;
  std::string address_full;
};

// The registry id of the admitted session (for SessionRegistry::remove),
// or nullopt when it was refused and the stream is closed.
boost::asio::awaitable<std::optional<uint64_t>> admit(ConnectionStream& stream, SessionRegistry& registry,
                                                      SessionProtocol protocol, std::string ip,
                                                      std::function<void()> request_shutdown,
                                                      RefusalReplies replies, const TlsContexts* tls,
                                                      bool implicit_tls);

}  // namespace postern::net
