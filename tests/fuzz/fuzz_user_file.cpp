// Fuzzes the account list parsers of `postern user import` (directory/
// user_file: Dovecot passwd-file lines, RFC 4180 CSV) and the imported
// password hash check (directory/legacy_password normalize_imported_hash).
// Admin input, but often a file exported from another system. Checks: no
// crash; one passwd-file entry per non-empty, non-comment line, in order,
// each with a user or an error; every parsed user has an address and a hash;
// a CSV record reader always advances; a normalized hash normalizes to
// itself and names its scheme.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "directory/legacy_password.hpp"
#include "directory/user_file.hpp"

namespace {

using namespace postern;
using namespace postern::directory;

void check_entries(const std::vector<UserFileEntry>& entries) {
  size_t prev = 0;
  for (const auto& e : entries) {
    if (e.line <= prev) std::abort();
    prev = e.line;
    if (e.user.has_value() == !e.error.empty()) std::abort();
    if (e.user && (e.user->address.empty() || e.user->password_hash.empty() || e.user->line != e.line)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto passwd = parse_passwd_file(input);
  check_entries(passwd);
  for (const auto& e : passwd)
    if (e.user && e.user->address.find('@') == std::string::npos) std::abort();
  check_entries(parse_passwd_file(input, "example.org"));

  if (auto csv = parse_user_csv(input)) check_entries(*csv);
  for (size_t pos = 0; pos < input.size();) {
    size_t before = pos;
    bool ok = true;
    auto fields = parse_csv_record(input, pos, ok);
    if (pos <= before || pos > input.size() || fields.empty()) std::abort();
  }

  for (std::string_view hash : {input, input.substr(0, input.find('\n'))}) {
    auto n = normalize_imported_hash(hash);
    if (!n) continue;
    auto again = normalize_imported_hash(*n);
    if (!again || *again != *n || stored_hash_scheme(*n).empty()) std::abort();
  }
  return 0;
}
