// Maildir++ folder name conversion and special-use conventions.
#include "transfer/proto/maildir_folder.hpp"

#include <array>

#include "core/strings.hpp"
#include "imap/proto/mutf7.hpp"

namespace postern::transfer {

Result<std::string> store_name_of_folder(std::string_view dir) {
  if (dir.empty()) return std::string("INBOX");
  if (dir.front() != '.' || dir.size() < 2) return user_error("'" + std::string(dir) + "' is not a Maildir++ folder name");
  std::string out;
  std::string_view rest = dir.substr(1);
  for (;;) {
    size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    if (part.empty()) return user_error("folder '" + std::string(dir) + "' has an empty name component");
    auto utf8 = imap::mutf7_decode(part);
    if (!utf8) return user_error("folder '" + std::string(dir) + "': " + utf8.error().message);
    if (utf8->find('/') != std::string::npos)
      return user_error("folder '" + std::string(dir) + "' contains '/', the store's hierarchy separator");
    if (!out.empty()) out += '/';
    out += *utf8;
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  // INBOX lives at the top of the tree; a ".INBOX" directory would be a
  // second one under the same (case-insensitive) name.
  if (iequals(out, "INBOX")) return user_error("folder '" + std::string(dir) + "' would shadow INBOX");
  return out;
}

Result<std::string> folder_of_store_name(std::string_view name, bool* renamed) {
  if (renamed) *renamed = false;
  if (iequals(name, "INBOX")) return std::string();
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t slash = name.find('/', start);
    std::string part(name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    for (char& c : part)
      if (c == '.') {
        c = '_';
        if (renamed) *renamed = true;
      }
    auto encoded = imap::mutf7_encode(part);
    if (!encoded) return encoded.error();
    out += '.';
    out += *encoded;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::optional<std::string> conventional_special_use(std::string_view name) {
  struct Convention {
    std::string_view name;
    std::string_view use;
  };
  static constexpr std::array<Convention, 12> kConventions{{
      {"Sent", "\\Sent"}, {"Sent Items", "\\Sent"}, {"Sent Messages", "\\Sent"}, {"Sent Mail", "\\Sent"},
      {"Drafts", "\\Drafts"}, {"Junk", "\\Junk"}, {"Spam", "\\Junk"},
      {"Trash", "\\Trash"}, {"Deleted Items", "\\Trash"}, {"Deleted Messages", "\\Trash"},
      {"Archive", "\\Archive"}, {"Archives", "\\Archive"},
  }};
  for (const auto& c : kConventions)
    if (iequals(c.name, name)) return std::string(c.use);
  return std::nullopt;
}

}  // namespace postern::transfer
