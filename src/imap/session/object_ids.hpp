// Object identifiers of RFC 8474 (OBJECTID): MAILBOXID, EMAILID, THREADID.
// Each is 1*255 of ALPHA / DIGIT / "_" / "-", stable for the object's
// lifetime and never reused for another object:
//   MAILBOXID  "F" account "-" mailbox row "-" UIDVALIDITY: survives RENAME;
//              a recreated name gets a new UIDVALIDITY, so a new id.
//   EMAILID    "M" + 24 hex digits of the content's SHA-256: the same
//              bytes keep their id through COPY and MOVE (RFC 8474 §5.1).
//   THREADID   "T" + the thread's root message row (store threading).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postern::imap {

std::string mailbox_object_id(int64_t account_id, int64_t mailbox_id, uint32_t uidvalidity);
std::string email_object_id(std::string_view blob_hash);
std::string thread_object_id(int64_t thread_id);

}  // namespace postern::imap
