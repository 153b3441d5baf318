// Schema migrations. Each entry is applied once, in order, in its own write
// transaction together with the version bump, so a crash leaves either the
// old or the new schema, never a mix. Never edit a released step; append one.
#include "store/sqlite/schema.hpp"

#include <algorithm>
#include <string>

namespace postern::store::sqlite {
namespace {

// Data model (DESIGN.md): a message (one immutable blob) belongs to an
// account and may sit in several mailboxes; each mailbox row has its own UID
// and MODSEQ; flags/keywords live on the message (JMAP semantics). Every
// change bumps accounts.modseq; expunges are logged for QRESYNC/JMAP.
constexpr const char* kMigrations[] = {
    // 1: directory and mail store
    R"sql(
CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  address TEXT NOT NULL UNIQUE,          -- canonical local@domain, local part lower-cased
  password_hash TEXT NOT NULL,
  quota_bytes INTEGER NOT NULL DEFAULT 0, -- 0 = unlimited
  modseq INTEGER NOT NULL DEFAULT 0,      -- account change counter
  created_at INTEGER NOT NULL
);
CREATE TABLE aliases (
  id INTEGER PRIMARY KEY,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  source TEXT NOT NULL,                   -- local@domain, or @domain for a catch-all
  target TEXT NOT NULL,                   -- any address, local or external
  UNIQUE (source, target)
);
CREATE TABLE sendas (
  address TEXT NOT NULL,                  -- the role address, e.g. pr@example.org
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (address, account_id)
);
CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,                     -- UTF-8, hierarchy separator '/'
  special_use TEXT,                       -- \Inbox \Sent \Drafts \Junk \Trash \Archive
  subscribed INTEGER NOT NULL DEFAULT 1,
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 0,
  message_count INTEGER NOT NULL DEFAULT 0,
  total_bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, name)
);
CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,                  -- hex SHA-256 of the content
  size INTEGER NOT NULL,
  refcount INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  blob_hash TEXT NOT NULL REFERENCES blobs(hash),
  size INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,         -- unix seconds
  flags TEXT NOT NULL DEFAULT '',         -- space-separated system flags and keywords
  return_path TEXT,
  subject TEXT,
  from_header TEXT,
  message_id_header TEXT,
  date_header INTEGER,
  structure BLOB                          -- cached parse (envelope, body structure)
);
CREATE INDEX messages_by_account ON messages(account_id);
CREATE TABLE mailbox_messages (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX mailbox_messages_by_message ON mailbox_messages(message_id);
CREATE TABLE expunged (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
)sql",
    // 2: UIDVALIDITY must never repeat for a name, even after DELETE and
    // CREATE in the same second (RFC 9051 §2.3.1.1): a per-account high mark.
    R"sql(
ALTER TABLE accounts ADD COLUMN last_uidvalidity INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET last_uidvalidity = COALESCE((SELECT MAX(uidvalidity) FROM mailboxes WHERE account_id = accounts.id), 0);
)sql",
    // 3: threads (RFC 8474 THREADID, JMAP): a message joins the thread of
    // the closest ancestor (References/In-Reply-To) already in the account;
    // NULL means it is the root of its own thread.
    R"sql(
ALTER TABLE messages ADD COLUMN thread_id INTEGER;
CREATE INDEX messages_by_message_id ON messages(account_id, message_id_header);
)sql",
    // 4: SCRAM-SHA-256 keys (RFC 5802/7677), set with the password; NULL for
    // accounts whose password predates them (SCRAM then fails, PLAIN works).
    R"sql(
ALTER TABLE accounts ADD COLUMN scram_sha256 TEXT;
)sql",
    // 5: the outbound queue (src/queue). A message is its blob (under
    // <data_dir>/queue/blobs, apart from mailbox blobs so neither garbage
    // collector can take the other's files) and one row per recipient with
    // its own state and schedule. 'inflight' marks an attempt in progress;
    // on restart such rows go back to 'pending' (at-least-once delivery).
    R"sql(
CREATE TABLE queue_messages (
  id INTEGER PRIMARY KEY,
  blob_hash TEXT NOT NULL,
  sender TEXT NOT NULL,                     -- envelope sender, '' = null reverse-path
  size INTEGER NOT NULL,
  eight_bit INTEGER NOT NULL DEFAULT 0,     -- BODY=8BITMIME wanted
  smtputf8 INTEGER NOT NULL DEFAULT 0,      -- needs SMTPUTF8 (RFC 6531)
  is_dsn INTEGER NOT NULL DEFAULT 0,        -- a bounce we generated: never bounced itself
  created_at INTEGER NOT NULL,              -- unix seconds
  delay_warned INTEGER NOT NULL DEFAULT 0   -- the "delayed" DSN was sent
);
CREATE TABLE queue_recipients (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES queue_messages(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  domain TEXT NOT NULL,                     -- lower-cased; deliveries are grouped by it
  state TEXT NOT NULL DEFAULT 'pending',    -- pending | inflight | delivered | failed | expired
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL,            -- unix seconds
  last_attempt INTEGER,
  last_reply TEXT NOT NULL DEFAULT '',
  enhanced TEXT NOT NULL DEFAULT '',
  notified INTEGER NOT NULL DEFAULT 0       -- failed/expired: its DSN was handed on
);
CREATE INDEX queue_recipients_due ON queue_recipients(state, next_attempt);
CREATE INDEX queue_recipients_by_message ON queue_recipients(message_id);
)sql",
    // 6: finding whether another queued message shares a finished message's
    // blob without reading the whole queue.
    R"sql(
CREATE INDEX queue_messages_by_blob ON queue_messages(blob_hash);
)sql",
    // 7: automatic bans (src/guard): one row per source (an IPv4 address or
    // an IPv6 /64). Expired rows stay: their strike count makes the next ban
    // of the same source longer.
    R"sql(
CREATE TABLE bans (
  source TEXT PRIMARY KEY,
  created INTEGER NOT NULL,
  until INTEGER NOT NULL,
  strikes INTEGER NOT NULL DEFAULT 1,
  reason TEXT NOT NULL DEFAULT ''
);
)sql",
    // 8: the changes since a MODSEQ (a client's poll, the update of a cached
    // mailbox view) read through indexes instead of every row of the mailbox.
    R"sql(
CREATE INDEX mailbox_messages_by_modseq ON mailbox_messages(mailbox_id, modseq);
CREATE INDEX expunged_by_modseq ON expunged(mailbox_id, modseq);
)sql",
    // 9: the outbound queue's per-delivery work without scans. Owed DSNs
    // (failed/expired, not yet notified) and messages that may owe a delay
    // warning each get a partial index holding only those rows, so finding
    // them costs what is owed, not the queue's length; claims walk a due
    // index that carries the domain and message (no table lookups while
    // skipping busy domains); expiry finds old messages by age.
    R"sql(
CREATE INDEX queue_recipients_owed ON queue_recipients(message_id)
  WHERE state IN ('failed', 'expired') AND notified = 0;
CREATE INDEX queue_messages_unwarned ON queue_messages(created_at)
  WHERE delay_warned = 0 AND sender != '' AND is_dsn = 0;
CREATE INDEX queue_messages_by_age ON queue_messages(created_at);
DROP INDEX queue_recipients_due;
CREATE INDEX queue_recipients_due ON queue_recipients(state, next_attempt, message_id, domain);
)sql",
};

constexpr int kLatest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

Result<int> current_version(Db& db) {
  if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); !s)
    return s.error();
  auto st = db.prepare("SELECT MAX(version) FROM schema_version");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return (*row && !st->is_null(0)) ? static_cast<int>(st->int64(0)) : 0;
}

}  // namespace

int latest_schema_version() { return kLatest; }

Status migrate(Db& db) { return migrate(db, kLatest); }

Status migrate(Db& db, int up_to) {
  up_to = std::min(up_to, kLatest);
  for (;;) {
    WriteTransaction tx(db);
    if (auto s = tx.begin(); !s) return s;
    auto version = current_version(db);
    if (!version) return version.error();
    if (*version > kLatest)
      return user_error("database schema version " + std::to_string(*version) +
                        " is newer than this postern understands (" + std::to_string(kLatest) +
                        "); upgrade postern");
    if (*version >= up_to) return tx.commit();
    if (auto s = db.exec(kMigrations[*version]); !s) return s;
    auto ins = db.prepare("INSERT INTO schema_version (version) VALUES (?)");
    if (!ins) return ins.error();
    ins->bind(1, static_cast<int64_t>(*version + 1));
    if (auto s = ins->run(); !s) return s;
    if (auto s = tx.commit(); !s) return s;
  }
}

}  // namespace postern::store::sqlite
