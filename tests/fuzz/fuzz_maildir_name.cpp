// Fuzzes Maildir file names and Maildir++ folder names: parsing arbitrary
// bytes never crashes; the flags and keyword letters of a name survive
// writing them back as an info suffix and parsing that again; a folder
// name that decodes encodes back to a name that decodes to the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "transfer/proto/dovecot_keywords.hpp"
#include "transfer/proto/maildir_folder.hpp"
#include "transfer/proto/maildir_name.hpp"

using namespace postern::transfer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  MaildirName n = parse_maildir_name(input);
  for (char c : n.keyword_letters)
    if (c < 'a' || c > 'z') std::abort();
  MaildirName again = parse_maildir_name("x" + maildir_info(n.flags, n.keyword_letters));
  if (again.keyword_letters != n.keyword_letters || again.flags.size() != n.flags.size()) std::abort();
  if (auto name = store_name_of_folder(input)) {
    auto folder = folder_of_store_name(*name);
    if (!folder) std::abort();
    auto back = store_name_of_folder(*folder);
    if (!back || *back != *name) std::abort();
  }
  KeywordTable t = parse_dovecot_keywords(input);
  if (parse_dovecot_keywords(format_dovecot_keywords(t)) != t) std::abort();
  (void)keywords_of_letters(t, input);
  return 0;
}
