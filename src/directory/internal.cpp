// Canonical address forms and the lookups shared by the directory's files.
#include "directory/internal.hpp"

#include "directory/directory.hpp"

#include <chrono>

#include "core/strings.hpp"

namespace postern::directory::detail {

std::string canonical(const EmailAddress& address) {
  return to_lower_ascii(address.local) + "@" + address.domain;
}

Result<EmailAddress> parse_address(std::string_view text) {
  auto parsed = parse_email_address(text);
  if (!parsed) return syntax_error("invalid address '" + std::string(text) + "': " + parsed.error().message);
  return parsed;
}

Result<std::string> parse_domain_name(std::string_view text) {
  auto parsed = parse_domain(text);
  if (!parsed) return syntax_error("invalid domain '" + std::string(text) + "': " + parsed.error().message);
  return parsed;
}

std::optional<std::string> without_plus_tag(std::string_view address) {
  if (address.empty() || address.front() == '"') return std::nullopt;
  auto at = address.rfind('@');
  auto plus = address.find('+');
  if (at == std::string_view::npos || plus == 0 || plus >= at) return std::nullopt;
  return std::string(address.substr(0, plus)) + std::string(address.substr(at));
}

Error unknown_domain_error(std::string_view domain) {
  return user_error("unknown domain '" + std::string(domain) + "' (add it with: postern domain add " +
                    std::string(domain) + ")");
}

Error unknown_user_error(std::string_view address) {
  return user_error("unknown user '" + std::string(address) + "'");
}

namespace {
Result<std::optional<int64_t>> find_id(store::sqlite::Db& db, const char* sql, std::string_view key) {
  auto st = db.prepare(sql);
  if (!st) return st.error();
  st->bind(1, key);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(st->int64(0));
}
}  // namespace

Result<std::optional<int64_t>> find_domain_id(store::sqlite::Db& db, std::string_view domain) {
  return find_id(db, "SELECT id FROM domains WHERE name = ?", domain);
}

Result<std::optional<int64_t>> find_account_id(store::sqlite::Db& db, std::string_view canonical_address) {
  return find_id(db, "SELECT id FROM accounts WHERE address = ?", canonical_address);
}

Result<bool> alias_source_exists(store::sqlite::Db& db, std::string_view canonical_source) {
  auto id = find_id(db, "SELECT id FROM aliases WHERE source = ? LIMIT 1", canonical_source);
  if (!id) return id.error();
  return id->has_value();
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::optional<int64_t>> domain_filter(store::sqlite::Db& db, std::optional<std::string_view> domain) {
  if (!domain) return std::optional<int64_t>();
  auto name = parse_domain_name(*domain);
  if (!name) return name.error();
  auto id = find_domain_id(db, *name);
  if (!id) return id.error();
  if (!*id) return unknown_domain_error(*name);
  return *id;
}

}  // namespace postern::directory::detail

namespace postern::directory {

Result<std::string> canonical_address(std::string_view address) {
  auto parsed = detail::parse_address(address);
  if (!parsed) return parsed.error();
  return detail::canonical(*parsed);
}

}  // namespace postern::directory
