// Maildir++ folder names and special-use folders. A Maildir++ tree keeps
// INBOX at its top (cur/ new/ tmp/) and every other folder in a directory
// ".Name.Child" with '.' as the hierarchy separator and names in modified
// UTF-7 (Dovecot's default layout). The store's names are UTF-8 with '/'.
// Parses untrusted directory names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::transfer {

// ".Lists.foo" -> "Lists/foo"; "" (the top directory) -> "INBOX". Errors
// (user): not a Maildir++ folder (no leading '.', empty component) or an
// invalid modified UTF-7 name.
Result<std::string> store_name_of_folder(std::string_view directory_name);

// "Lists/foo" -> ".Lists.foo" ("INBOX" -> ""). A '.' inside a component
// cannot be written in this layout and becomes '_' (`renamed` is set).
Result<std::string> folder_of_store_name(std::string_view name, bool* renamed = nullptr);

// The special-use attribute (RFC 6154) a top-level folder of this name
// has by convention: Sent / Sent Items / Sent Messages / Sent Mail -> \Sent,
// Drafts -> \Drafts, Junk / Spam -> \Junk, Trash / Deleted Items /
// Deleted Messages -> \Trash, Archive / Archives -> \Archive.
// Case-insensitive; nullopt for anything else (including nested names).
std::optional<std::string> conventional_special_use(std::string_view store_name);

}  // namespace postern::transfer
