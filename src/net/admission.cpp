// admit(): SessionRegistry::add, then the refusal path of ConnectionStream.
#include "net/admission.hpp"

#include "core/log.hpp"

namespace postern::net {

namespace {

const char* protocol_name(SessionProtocol p) {
  switch (p) {
    case SessionProtocol::smtp: return "smtp";
    case SessionProtocol::imap: return "imap";
    case SessionProtocol::pop3: return "pop3";
  }
  return "?";
}

}  // namespace

boost::asio::awaitable<std::optional<uint64_t>> admit(ConnectionStream& stream, SessionRegistry& registry,
                                                      SessionProtocol protocol, std::string ip,
                                                      std::function<void()> request_shutdown,
                                                      RefusalReplies replies, const TlsContexts* tls,
                                                      bool implicit_tls) {
  auto r = registry.add(protocol, ip, std::move(request_shutdown));
  if (r.admission == Admission::admitted) co_return r.id;
  log::warn("connection_refused",
            {{"protocol", protocol_name(protocol)}, {"ip", ip}, {"reason", SessionRegistry::describe(r.admission)}});
  const std::string& reply = r.admission == Admission::shutting_down ? replies.shutting_down
                             : r.admission == Admission::server_full ? replies.server_full
                                                                     : replies.address_full;
  co_await stream.refuse(reply, tls, implicit_tls);
  co_return std::nullopt;
}

}  // namespace postern::net
