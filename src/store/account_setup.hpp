// Store-side lifecycle of an account: the default mailboxes a new account
// gets, and releasing its mail when the account is removed. Called by the
// directory inside its own write transaction.
#pragma once

#include <cstdint>

#include "core/result.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store {

// INBOX, Sent, Drafts, Junk, Trash, Archive with their special-use
// attributes (RFC 6154). Must run inside a write transaction on `db`.
Status create_default_mailboxes(sqlite::Db& db, int64_t account_id);

// Deletes the account's mailboxes and messages and drops its blob
// references; blobs left without references are removed by the next
// garbage collection. Must run inside a write transaction on `db`.
Status release_account_mail(sqlite::Db& db, int64_t account_id);

}  // namespace postern::store
