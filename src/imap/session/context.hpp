// The state one IMAP session's command handlers share (RFC 9051 §3: not
// authenticated / authenticated / selected / logout), and the reply helpers
// every handler uses so that errors map to BAD/NO the same way everywhere.
// Owned by Session; handlers in imap/commands/ receive it by reference.
// Only <boost/asio/awaitable.hpp> is reachable from here (DESIGN.md §3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "imap/mail_access.hpp"
#include "imap/proto/command_reader.hpp"
#include "imap/proto/response_writer.hpp"
#include "imap/session/selected_mailbox.hpp"

namespace postern::imap {

enum class SessionState : uint8_t { not_authenticated = 1, authenticated = 2, selected = 4, logout = 8 };

struct SessionOptions {
  std::string hostname;
  bool tls_active = false;
  bool starttls_available = false;
  bool allow_plaintext_auth = false;
  ReaderLimits limits;
  std::string client_address;  // the peer's IP, for the password-check queue
};

// What the next input line is, when it is not a command.
enum class LineMode { command, idle, sasl };

constexpr int kMaxBadCommands = 20;

struct SessionContext {
  SessionContext(SessionOptions o, MailAccess& a) : options(std::move(o)), access(a) {}

  SessionOptions options;
  MailAccess& access;
  SessionState state = SessionState::not_authenticated;
  std::optional<AuthenticatedUser> user;
  std::optional<SelectedMailbox> selected;

  // ENABLE (RFC 5161 / RFC 9051 §6.3.1).
  bool rev2 = false;
  bool utf8_accept = false;
  bool condstore = false;  // also turned on by a CONDSTORE-using command (RFC 7162 §3.1)
  bool qresync = false;    // RFC 7162 §3.2.3: implies condstore; VANISHED replaces EXPUNGE

  std::string out;
  int bad_commands = 0;
  int auth_failures = 0;  // failed LOGIN/AUTHENTICATE not yet reported to the adapter
  std::string failed_user;  // the user name of the last of them
  bool close = false;
  bool starttls_pending = false;
  bool compress_pending = false;  // COMPRESS DEFLATE answered OK: the adapter switches (RFC 4978)
  bool compress_active = false;
  // The transport changes after the current output: stop reading commands.
  bool transport_pending() const { return starttls_pending || compress_pending; }

  LineMode line_mode = LineMode::command;
  std::string pending_tag;  // of IDLE / AUTHENTICATE waiting for its line

  // Another session (or delivery) changed the selected mailbox while a
  // command was running: announce at the end of the next command that may.
  bool dirty = false;

  bool utf8() const { return rev2 || utf8_accept; }
  WriterOptions writer() const { return WriterOptions{.utf8 = utf8()}; }
  bool login_disabled() const { return !options.tls_active && !options.allow_plaintext_auth; }
  int64_t account() const { return user ? user->account_id : 0; }

  // The tagged completion of the running command. Handlers set it through
  // ok/no/bad/fail; the session writes it after any untagged updates it
  // still has to announce (RFC 9051 §7.5.1), so handlers never write it.
  struct Reply {
    std::string tag;
    Condition condition = Condition::ok;
    std::string text, code, args;
  };
  std::optional<Reply> reply;
  // Writes `reply` (if any) to `out`; a BAD counts towards kMaxBadCommands.
  void flush_reply();

  // "tag OK|NO|BAD [code] text" as the pending reply.
  void ok(std::string_view tag, std::string_view text, std::string_view code = {}, std::string_view args = {});
  void no(std::string_view tag, std::string_view text, std::string_view code = {}, std::string_view args = {});
  void bad(std::string_view tag, std::string_view text, std::string_view code = {});
  // NO/BAD for an error value: syntax -> BAD; user -> NO; temporary -> NO
  // [UNAVAILABLE]; internal -> NO [SERVERBUG]. `user_code` is used for user errors.
  void fail(std::string_view tag, const Error& e, std::string_view user_code = {});
  // Untagged data start: ResponseBuilder positioned after "*".
  ResponseBuilder untagged() {
    ResponseBuilder r(out, writer());
    r.untagged();
    return r;
  }
  // The CAPABILITY list for the current state (RFC 9051 §7.2.2).
  std::string capabilities() const;
};

// Maps a store error about a mailbox to its response code: "already exists"
// -> ALREADYEXISTS, "no such mailbox" -> NONEXISTENT (RFC 5530).
std::string_view mailbox_error_code(const Error& e);

// Finds a mailbox by its store name (INBOX case-insensitive, RFC 9051 §5.1).
Task<Result<std::optional<store::MailboxInfo>>> find_mailbox(SessionContext& s, std::string name);

// The mailbox a command names in wire form (mUTF-7 or UTF-8). On any
// failure the tagged reply is already written (NO with `missing_code`, e.g.
// "NONEXISTENT" or "TRYCREATE", when it does not exist) and nullopt returned.
Task<std::optional<store::MailboxInfo>> require_mailbox(SessionContext& s, std::string tag, std::string wire,
                                                        std::string missing_code);

// Announces store changes to the selected mailbox (RFC 9051 §7.5.1):
// "* n EXISTS", "* n FETCH (UID FLAGS [MODSEQ])" for flag changes made by
// others, and "* n EXPUNGE" when `allow_expunge`, else the expunges wait in
// pending_expunges. Clears `dirty` when everything was announced.
Task<void> announce_changes(SessionContext& s, bool allow_expunge);

// Removes `uids` (any order) from the selected view and tells the client:
// "* n EXPUNGE" for each, or one "* VANISHED uid-set" once QRESYNC is
// enabled (RFC 7162 §3.2.10).
void announce_expunged(SessionContext& s, std::vector<uint32_t> uids);

// Renders "FLAGS (\Seen x)" content from the store's canonical flag string.
void append_flag_list(ResponseBuilder& r, std::string_view canonical);

}  // namespace postern::imap
