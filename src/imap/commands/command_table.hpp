// The one IMAP command table (STYLE.md, after Dovecot): each command's name,
// the states it is allowed in (RFC 9051 §3), and flags saying how it
// interacts with sequence numbers; plus the handler declarations, one
// command family per file in this directory. Adding a command touches its
// file and one row in command_table.cpp.
#pragma once

#include <cstdint>
#include <string_view>

#include "imap/proto/parse_tree.hpp"
#include "imap/proto/status_args.hpp"
#include "imap/session/context.hpp"

namespace postern::imap {

enum CommandFlag : uint8_t {
  kAllowUid = 1,        // may follow "UID " (RFC 9051 §6.4.9)
  kUsesSeqNumbers = 2,  // without UID: no EXPUNGE may be announced after it (RFC 9051 §7.5.1)
  kNoAnnounce = 4,      // never announce pending mailbox changes after it
  kPoll = 8,            // always check the store for changes after it (NOOP, CHECK)
};

using CommandHandler = Task<void> (*)(SessionContext&, Command&);

struct CommandSpec {
  std::string_view name;  // upper-case
  uint8_t states;         // SessionState bits
  uint8_t flags;          // CommandFlag bits
  CommandHandler handler;
};

// The row for an upper-cased command name, or nullptr.
const CommandSpec* find_command(std::string_view name);

// ---- handlers (imap/commands/<family>.cpp) ---------------------------------
// any_state.cpp
Task<void> cmd_capability(SessionContext&, Command&);
Task<void> cmd_noop(SessionContext&, Command&);  // NOOP and CHECK
Task<void> cmd_logout(SessionContext&, Command&);
Task<void> cmd_id(SessionContext&, Command&);
// auth.cpp
Task<void> cmd_starttls(SessionContext&, Command&);
Task<void> cmd_login(SessionContext&, Command&);
Task<void> cmd_authenticate(SessionContext&, Command&);
// The client's answer to the AUTHENTICATE continuation (line without CRLF).
Task<void> continue_authenticate(SessionContext&, std::string line);
// compress.cpp
Task<void> cmd_compress(SessionContext&, Command&);
// enable.cpp
Task<void> cmd_enable(SessionContext&, Command&);
// select.cpp
Task<void> cmd_select(SessionContext&, Command&);  // SELECT and EXAMINE
Task<void> cmd_close(SessionContext&, Command&);
Task<void> cmd_unselect(SessionContext&, Command&);
// mailbox.cpp
Task<void> cmd_create(SessionContext&, Command&);
Task<void> cmd_delete(SessionContext&, Command&);
Task<void> cmd_rename(SessionContext&, Command&);
Task<void> cmd_subscribe(SessionContext&, Command&);  // SUBSCRIBE and UNSUBSCRIBE
// list.cpp
Task<void> cmd_list(SessionContext&, Command&);  // LIST and LSUB
Task<void> cmd_namespace(SessionContext&, Command&);
// status.cpp
Task<void> cmd_status(SessionContext&, Command&);
// "* STATUS name (items)" for `box` (STATUS and LIST RETURN (STATUS)).
Task<Status> write_status(SessionContext&, const store::MailboxInfo& box, const std::vector<StatusItem>& items);
// fetch.cpp
Task<void> cmd_fetch(SessionContext&, Command&);
// store.cpp
Task<void> cmd_store(SessionContext&, Command&);
// expunge.cpp
Task<void> cmd_expunge(SessionContext&, Command&);
// copy.cpp
Task<void> cmd_copy(SessionContext&, Command&);  // COPY and MOVE
// append.cpp
Task<void> cmd_append(SessionContext&, Command&);
// idle.cpp
Task<void> cmd_idle(SessionContext&, Command&);
// The line that ends IDLE ("DONE", RFC 2177 §3 / RFC 9051 §6.3.13).
void finish_idle(SessionContext&, std::string_view line);
// search.cpp
Task<void> cmd_search(SessionContext&, Command&);
// quota.cpp
Task<void> cmd_getquotaroot(SessionContext&, Command&);
Task<void> cmd_getquota(SessionContext&, Command&);
Task<void> cmd_setquota(SessionContext&, Command&);
// A user error ("Quota exceeded...") when `more_bytes` would not fit the
// account's quota; APPEND and COPY answer it with NO [OVERQUOTA].
Task<Status> check_quota(SessionContext&, int64_t more_bytes);
// sort.cpp
Task<void> cmd_sort(SessionContext&, Command&);
// thread.cpp
Task<void> cmd_thread(SessionContext&, Command&);

}  // namespace postern::imap
