// The command table: every IMAP command the server knows, with the states
// it is allowed in (RFC 9051 §3, §6) and its flags.
#include "imap/commands/command_table.hpp"

#include <array>

namespace postern::imap {

namespace {

constexpr uint8_t kAny = static_cast<uint8_t>(SessionState::not_authenticated) |
                         static_cast<uint8_t>(SessionState::authenticated) |
                         static_cast<uint8_t>(SessionState::selected);
constexpr uint8_t kNotAuth = static_cast<uint8_t>(SessionState::not_authenticated);
constexpr uint8_t kAuth = static_cast<uint8_t>(SessionState::authenticated) |
                          static_cast<uint8_t>(SessionState::selected);
constexpr uint8_t kAuthOnly = static_cast<uint8_t>(SessionState::authenticated);
constexpr uint8_t kSelected = static_cast<uint8_t>(SessionState::selected);

constexpr std::array kCommands = {
    // RFC 9051 §6.1: any state
    CommandSpec{"CAPABILITY", kAny, 0, cmd_capability},
    CommandSpec{"NOOP", kAny, kPoll, cmd_noop},
    CommandSpec{"LOGOUT", kAny, kNoAnnounce, cmd_logout},
    CommandSpec{"ID", kAny, 0, cmd_id},  // RFC 2971
    // RFC 9051 §6.2: not authenticated
    CommandSpec{"STARTTLS", kNotAuth, kNoAnnounce, cmd_starttls},
    CommandSpec{"LOGIN", kNotAuth, 0, cmd_login},
    CommandSpec{"AUTHENTICATE", kNotAuth, 0, cmd_authenticate},
    // RFC 9051 §6.3: authenticated (and selected)
    CommandSpec{"ENABLE", kAuthOnly, 0, cmd_enable},
    CommandSpec{"COMPRESS", kAuth, kNoAnnounce, cmd_compress},  // RFC 4978  // RFC 5161 §3.1: authenticated state only
    CommandSpec{"SELECT", kAuth, kNoAnnounce, cmd_select},
    CommandSpec{"EXAMINE", kAuth, kNoAnnounce, cmd_select},
    CommandSpec{"CREATE", kAuth, 0, cmd_create},
    CommandSpec{"DELETE", kAuth, 0, cmd_delete},
    CommandSpec{"RENAME", kAuth, 0, cmd_rename},
    CommandSpec{"SUBSCRIBE", kAuth, 0, cmd_subscribe},
    CommandSpec{"UNSUBSCRIBE", kAuth, 0, cmd_subscribe},
    CommandSpec{"LIST", kAuth, 0, cmd_list},
    CommandSpec{"LSUB", kAuth, 0, cmd_list},
    CommandSpec{"NAMESPACE", kAuth, 0, cmd_namespace},  // RFC 2342
    CommandSpec{"STATUS", kAuth, 0, cmd_status},
    CommandSpec{"APPEND", kAuth, 0, cmd_append},
    CommandSpec{"IDLE", kAuth, kNoAnnounce, cmd_idle},  // RFC 2177
    CommandSpec{"GETQUOTAROOT", kAuth, 0, cmd_getquotaroot},  // RFC 9208
    CommandSpec{"GETQUOTA", kAuth, 0, cmd_getquota},
    CommandSpec{"SETQUOTA", kAuth, 0, cmd_setquota},
    // RFC 9051 §6.4: selected
    CommandSpec{"CHECK", kSelected, kPoll, cmd_noop},  // rev1 only; harmless for rev2 clients
    CommandSpec{"CLOSE", kSelected, kNoAnnounce, cmd_close},
    CommandSpec{"UNSELECT", kSelected, kNoAnnounce, cmd_unselect},  // RFC 3691
    CommandSpec{"EXPUNGE", kSelected, kAllowUid, cmd_expunge},      // UID EXPUNGE: RFC 4315 §2.1
    CommandSpec{"SEARCH", kSelected, kAllowUid | kUsesSeqNumbers, cmd_search},
    CommandSpec{"SORT", kSelected, kAllowUid | kUsesSeqNumbers, cmd_sort},      // RFC 5256
    CommandSpec{"THREAD", kSelected, kAllowUid | kUsesSeqNumbers, cmd_thread},  // RFC 5256
    CommandSpec{"FETCH", kSelected, kAllowUid | kUsesSeqNumbers, cmd_fetch},
    CommandSpec{"STORE", kSelected, kAllowUid | kUsesSeqNumbers, cmd_store},
    CommandSpec{"COPY", kSelected, kAllowUid | kUsesSeqNumbers, cmd_copy},
    CommandSpec{"MOVE", kSelected, kAllowUid | kUsesSeqNumbers, cmd_copy},  // RFC 6851
};

}  // namespace

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace postern::imap
