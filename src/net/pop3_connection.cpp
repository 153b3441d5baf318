// The POP3 adapter: one coroutine per connection drives a pop3::Session.
// The session is a plain state machine, so every action is awaited here in
// turn; nothing else touches the session (POP3 has no push), and the
// connection never changes thread.
#include "net/pop3_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>

#include "core/command_pacer.hpp"
#include "core/line_deadline.hpp"
#include "core/log.hpp"
#include "directory/thread_directory.hpp"
#include "guard/guard.hpp"
#include "net/awaitable_bridge.hpp"
#include "net/admission.hpp"
#include "net/connection_stream.hpp"

namespace postern::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto kWriteTimeout = ConnectionStream::kWriteTimeout;
constexpr auto kAuthFailureDelay = 1s;
constexpr size_t kReadBufferSize = 4 * 1024;
// Octets of a message read per worker call while streaming RETR: large
// enough that a 5 MB message is a handful of reads, small enough that a
// session never holds much memory.
constexpr uint64_t kMessageChunk = 256 * 1024;

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

bool is_loopback(const asio::ip::address& a) {
  if (a.is_loopback()) return true;
  return a.is_v6() && a.to_v6().is_v4_mapped() && asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
}

// What a login produced on the worker thread.
struct LoginWork {
  pop3::LoginResult result;
  std::shared_ptr<void> lock;
  int64_t account_id = 0;
  std::string address;
  std::string error;
};

class Pop3Connection : public std::enable_shared_from_this<Pop3Connection> {
 public:
  Pop3Connection(tcp::socket socket, TlsMode mode, Pop3Services& services)
      : stream_(std::move(socket)), mode_(mode), services_(services) {}

  asio::awaitable<void> run();

 private:
  asio::awaitable<bool> write_output();
  asio::awaitable<void> login();
  asio::awaitable<bool> send_message();
  asio::awaitable<void> update();
  void request_shutdown();

  ConnectionStream stream_;
  TlsMode mode_;
  Pop3Services& services_;
  std::unique_ptr<pop3::Session> session_;
  std::shared_ptr<void> maildrop_lock_;  // held from login to the end of the connection
  int64_t account_id_ = 0;
  std::string id_, ip_;
  bool shutdown_requested_ = false;
  uint64_t retrieved_ = 0;
};

asio::awaitable<bool> Pop3Connection::write_output() {
  std::string out = session_->take_output();
  if (out.empty()) co_return true;
  bool ok = co_await stream_.write_all(out, kWriteTimeout);
  co_return ok;
}

asio::awaitable<void> Pop3Connection::login() {
  pop3::LoginRequest req = session_->login_request();
  store::MailStore* store = services_.store;
  MaildropLocks* locks = services_.locks;
  std::string db = services_.database_path;
  std::function<LoginWork()> work = [store, locks, db, req]() {
    LoginWork w;
    auto dir = directory::thread_directory(db);
    if (!dir) {
      w.result.outcome = pop3::LoginResult::Outcome::failed;
      w.error = dir.error().message;
      return w;
    }
    auto account = (*dir)->authenticate(req.user, req.password);
    if (!account) {
      w.result.outcome = pop3::LoginResult::Outcome::failed;
      w.error = account.error().message;
      return w;
    }
    if (!*account) {
      w.result.outcome = pop3::LoginResult::Outcome::bad_credentials;
      return w;
    }
    w.account_id = (*account)->id;
    w.address = (*account)->address;
    w.lock = locks->try_lock(w.account_id);
    if (!w.lock) {
      w.result.outcome = pop3::LoginResult::Outcome::in_use;
      return w;
    }
    auto snap = load_maildrop(*store, w.account_id);
    if (!snap) {
      w.lock.reset();
      w.result.outcome = pop3::LoginResult::Outcome::failed;
      w.error = snap.error().message;
      return w;
    }
    w.result.outcome = pop3::LoginResult::Outcome::ok;
    w.result.maildrop = std::move(*snap);
    return w;
  };
  // Password checks have their own threads, so hashing during a spray
  // never delays mail; known-good sources go first (guard.hpp).
  auto priority = services_.guard && services_.guard->trusted_source(ip_, unix_now()) ? ThreadPool::Priority::urgent
                                                                                     : ThreadPool::Priority::normal;
  LoginWork w = co_await run_blocking<LoginWork>(*services_.auth_workers, std::move(work), priority);
  auto outcome = w.result.outcome;
  if (outcome == pop3::LoginResult::Outcome::ok) {
    if (services_.guard) services_.guard->record_login(ip_, unix_now());
    maildrop_lock_ = std::move(w.lock);
    account_id_ = w.account_id;
    log::info("auth_succeeded", {{"session", id_}, {"protocol", "pop3"}, {"user", w.address},
                                 {"messages", w.result.maildrop.messages.size()}});
  } else if (outcome == pop3::LoginResult::Outcome::in_use) {
    log::info("pop3_in_use", {{"session", id_}, {"user", w.address}});
  } else if (outcome == pop3::LoginResult::Outcome::failed) {
    log::error("pop3_login_failed", {{"session", id_}, {"error", w.error}});
  }
  session_->login_done(std::move(w.result));
  if (session_->take_auth_failure()) {
    const std::string& user = session_->failed_user();
    log::info("auth_failed", {{"session", id_}, {"protocol", "pop3"}, {"ip", ip_}, {"user", user}});
    // Slows guessing down (more for an account under attack); the reply
    // waits, the connection stays usable. The guard may ban the source.
    std::chrono::milliseconds wait = kAuthFailureDelay;
    if (services_.guard) {
      wait = std::max(wait, services_.guard->account_failure(user, unix_now()));
      services_.guard->record(ip_, guard::Offense::auth_failure, 1, "pop3 " + user, unix_now());
    }
    asio::steady_timer delay(stream_.socket().get_executor());
    delay.expires_after(wait);
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// Streams the requested message chunk by chunk: each chunk is read on a
// worker, encoded by the session and written before the next is read, so
// memory stays at about one chunk whatever the message size. False when the
// connection failed.
asio::awaitable<bool> Pop3Connection::send_message() {
  const std::string hash = session_->message_request().message.blob_hash;
  store::MailStore* store = services_.store;
  uint64_t offset = 0;
  for (;;) {
    std::function<Result<std::string>()> read = [store, hash, offset]() {
      return store->read_blob_range(hash, offset, kMessageChunk);
    };
    Result<std::string> chunk = co_await run_blocking<Result<std::string>>(*services_.workers, std::move(read));
    if (!chunk) {
      log::error("pop3_read_failed", {{"session", id_}, {"blob", hash.substr(0, 16)}, {"error", chunk.error().message}});
      session_->message_end(Status(chunk.error()));
      co_return true;
    }
    bool last = chunk->size() < kMessageChunk;
    offset += chunk->size();
    bool more = session_->message_chunk(*chunk);
    // Give the memory back before waiting on the socket.
    *chunk = std::string();
    if (last || !more) {
      session_->message_end(Status(Ok{}));
      ++retrieved_;
      co_return true;
    }
    bool written = co_await write_output();
    if (!written) co_return false;
  }
}

// RFC 1939 §6 UPDATE: mark the messages \Deleted and expunge exactly those
// UIDs, through the committer, so IMAP sessions are notified as for any
// expunge.
asio::awaitable<void> Pop3Connection::update() {
  pop3::UpdateRequest req = session_->update_request();
  store::MailStore* store = services_.store;
  int64_t account = account_id_;
  store::FlagUpdate flags;
  flags.uids = req.uids;
  flags.op = store::FlagOp::add;
  flags.flags = {"\\Deleted"};
  std::function<void(std::function<void(Result<store::FlagUpdateResult>)>)> mark =
      [store, account, mailbox = req.mailbox_id, flags](std::function<void(Result<store::FlagUpdateResult>)> done) {
        store->update_flags(account, mailbox, flags, std::move(done));
      };
  Result<store::FlagUpdateResult> marked = co_await from_callback<Result<store::FlagUpdateResult>>(std::move(mark));
  if (!marked) {
    log::error("pop3_update_failed", {{"session", id_}, {"error", marked.error().message}});
    session_->update_done(Status(marked.error()));
    co_return;
  }
  std::function<void(std::function<void(Result<std::vector<uint32_t>>)>)> expunge =
      [store, account, mailbox = req.mailbox_id, uids = req.uids](std::function<void(Result<std::vector<uint32_t>>)> done) {
        store->expunge(account, mailbox, uids, std::move(done));
      };
  Result<std::vector<uint32_t>> expunged = co_await from_callback<Result<std::vector<uint32_t>>>(std::move(expunge));
  if (!expunged) {
    log::error("pop3_update_failed", {{"session", id_}, {"error", expunged.error().message}});
    session_->update_done(Status(expunged.error()));
    co_return;
  }
  log::info("pop3_update", {{"session", id_}, {"marked", req.uids.size()}, {"expunged", expunged->size()}});
  session_->update_done(Status(Ok{}));
}

void Pop3Connection::request_shutdown() {
  asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    self->shutdown_requested_ = true;
    self->stream_.cancel();
  });
}

asio::awaitable<void> Pop3Connection::run() {
  boost::system::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (ec) co_return;
  ip_ = remote.address().to_string();
  id_ = SessionRegistry::new_session_id();
  std::function<void()> on_shutdown = [self = shared_from_this()] { self->request_shutdown(); };
  // RFC 3206 SYS/TEMP: a temporary problem on our side, try later.
  RefusalReplies replies{"-ERR [SYS/TEMP] Server shutting down\r\n",
                         "-ERR [SYS/TEMP] Too many connections, try again later\r\n",
                         "-ERR [SYS/TEMP] Too many connections from your address\r\n"};
  std::optional<uint64_t> reg_id = co_await admit(stream_, *services_.registry, SessionProtocol::pop3, ip_,
                                                  std::move(on_shutdown), std::move(replies), services_.tls,
                                                  mode_ == TlsMode::implicit);
  if (!reg_id) co_return;
  log::info("connect", {{"session", id_}, {"protocol", "pop3"}, {"ip", ip_}, {"port", remote.port()}});
  stream_.socket().set_option(tcp::no_delay(true), ec);

  bool ok = true;
  if (mode_ == TlsMode::implicit) {
    // No co_await inside && / || : GCC 12 miscompiles it (see awaitable_bridge.hpp).
    ok = false;
    if (services_.tls) ok = co_await stream_.handshake(*services_.tls, ConnectionStream::kHandshakeTimeout);
    if (ok) log::info("tls_established", {{"session", id_}, {"version", stream_.tls_version()}, {"cipher", stream_.tls_cipher()}});
    else log::info("tls_failed", {{"session", id_}, {"error", stream_.last_error()}});
  }
  if (ok) {
    pop3::SessionOptions opts;
    opts.hostname = services_.hostname;
    opts.limits = services_.limits;
    opts.tls_active = stream_.tls_active();
    opts.starttls_available = !opts.tls_active && mode_ == TlsMode::starttls && services_.tls;
    // Plaintext passwords only inside TLS, except on loopback in dev mode
    // (as the IMAP and submission listeners decide).
    opts.plaintext_auth_allowed = services_.dev_mode && is_loopback(remote.address());
    session_ = std::make_unique<pop3::Session>(opts);
    std::string greeting = session_->greeting();
    ok = co_await stream_.write_all(greeting, kWriteTimeout);
  }
  // A line begun must end within line_timeout_seconds however slowly it
  // trickles in (slowloris); POP3 commands are short in every state.
  LineDeadline line(std::chrono::seconds(services_.line_timeout_seconds));
  CommandPacer pacer(services_.registry->limits().commands_per_second, services_.registry->limits().command_burst);
  std::array<char, kReadBufferSize> buf;
  while (ok) {
    bool written = co_await write_output();
    if (!written) break;
    auto action = session_->next_action();
    if (action == pop3::Session::Action::close) break;
    if (action == pop3::Session::Action::login) {
      co_await login();
      continue;
    }
    if (action == pop3::Session::Action::send_message) {
      bool sent = co_await send_message();
      if (!sent) break;
      continue;
    }
    if (action == pop3::Session::Action::update) {
      co_await update();
      continue;
    }
    if (action == pop3::Session::Action::start_tls) {
      bool upgraded = false;
      if (services_.tls) upgraded = co_await stream_.handshake(*services_.tls, ConnectionStream::kHandshakeTimeout);
      if (!upgraded) {
        log::info("tls_failed", {{"session", id_}, {"error", stream_.last_error()}});
        break;
      }
      log::info("tls_established", {{"session", id_}, {"version", stream_.tls_version()}, {"cipher", stream_.tls_cipher()}});
      session_->tls_established();
      continue;
    }
    // Action::read
    if (shutdown_requested_) {
      session_->on_shutdown();
      continue;
    }
    auto pace = pacer.record(session_->commands());
    if (pace > std::chrono::steady_clock::duration::zero()) {
      if (pacer.throttled() == 1) log::info("command_rate_paced", {{"session", id_}, {"protocol", "pop3"}, {"ip", ip_}});
      co_await stream_.pause(pace);
    }
    auto timeout = line.read_timeout(std::chrono::seconds(services_.idle_timeout_seconds));
    size_t n = co_await stream_.read_some(buf.data(), buf.size(), timeout);
    if (n == 0) {
      if (stream_.timed_out()) {
        log::info(line.expired() ? "line_timeout" : "timeout", {{"session", id_}, {"protocol", "pop3"}, {"ip", ip_}});
        line.reset();
        session_->on_timeout();
        continue;
      }
      if (shutdown_requested_ && stream_.cancelled()) continue;
      break;  // peer closed or network error: nothing is deleted (RFC 1939 §6)
    }
    session_->receive(std::string_view(buf.data(), n));
    line.update(session_->partial_line());
    if (line.expired()) {
      log::info("line_timeout", {{"session", id_}, {"protocol", "pop3"}, {"ip", ip_}});
      line.reset();
      session_->on_timeout();
    }
  }
  co_await stream_.close();
  maildrop_lock_.reset();
  services_.registry->remove(*reg_id);
  if (services_.guard && session_ && session_->bad_commands() > 0)
    services_.guard->record(ip_, guard::Offense::protocol_error, session_->bad_commands(), "pop3 errors", unix_now());
  log::info("disconnect", {{"session", id_}, {"protocol", "pop3"}, {"retrieved", retrieved_}});
}

}  // namespace

asio::awaitable<void> run_pop3_connection(tcp::socket socket, TlsMode tls_mode, Pop3Services& services) {
  auto conn = std::make_shared<Pop3Connection>(std::move(socket), tls_mode, services);
  try {
    co_await conn->run();
  } catch (const std::exception& e) {
    log::error("session_crashed", {{"protocol", "pop3"}, {"error", e.what()}});
  }
}

}  // namespace postern::net
