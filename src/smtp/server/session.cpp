// postern::smtp::Session: the public face of the SMTP server core; all the
// work is in SessionCore (session_core.cpp) and the command table.
#include "smtp/server/session.hpp"

#include "smtp/server/session_core.hpp"

namespace postern::smtp {

struct Session::Impl : detail::SessionCore {
  using SessionCore::SessionCore;
};

Session::Session(SessionOptions options, ClientInfo client, RecipientPolicy& policy, int64_t (*now)())
    : impl_(std::make_unique<Impl>(std::move(options), std::move(client), policy, now)) {}
Session::~Session() = default;

void Session::start() { impl_->start(); }
void Session::receive(std::string_view bytes) { impl_->receive(bytes); }
std::string Session::take_output() { return impl_->take_output(); }
Session::Action Session::next_action() const { return impl_->next_action(); }
const Envelope& Session::envelope() const { return impl_->envelope(); }
std::string Session::take_message() { return impl_->take_message(); }
void Session::delivery_done(const Status& result) { impl_->delivery_done(result); }
void Session::tls_established() { impl_->tls_established(); }
const AuthRequest& Session::auth_request() const { return impl_->auth_request(); }
void Session::auth_done(AuthResult result) { impl_->auth_done(std::move(result)); }
bool Session::take_auth_failure() { return std::exchange(impl_->auth_failed_, false); }
unsigned Session::error_count() const { return impl_->errors_; }
bool Session::partial_command() const { return impl_->partial_command(); }
uint64_t Session::commands() const { return impl_->commands_; }
const ClientInfo& Session::client() const { return impl_->client_; }
void Session::on_timeout() { impl_->on_timeout(); }
void Session::on_shutdown() { impl_->on_shutdown(); }
bool Session::in_transaction() const { return impl_->in_transaction(); }

}  // namespace postern::smtp
