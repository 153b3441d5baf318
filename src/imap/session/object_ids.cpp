// RFC 8474 object identifiers (formats in object_ids.hpp).
#include "imap/session/object_ids.hpp"

namespace postern::imap {

std::string mailbox_object_id(int64_t account_id, int64_t mailbox_id, uint32_t uidvalidity) {
  return "F" + std::to_string(account_id) + "-" + std::to_string(mailbox_id) + "-" + std::to_string(uidvalidity);
}

std::string email_object_id(std::string_view blob_hash) { return "M" + std::string(blob_hash.substr(0, 24)); }

std::string thread_object_id(int64_t thread_id) { return "T" + std::to_string(thread_id); }

}  // namespace postern::imap
