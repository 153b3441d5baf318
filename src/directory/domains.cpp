// Domains we receive mail for: add, remove (only when empty), list.
#include "directory/directory.hpp"
#include "directory/internal.hpp"

namespace postern::directory {
namespace {

std::string count_noun(int64_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

// Aliases are counted by source address: "list@d -> a, b" is one alias.
constexpr const char* kDomainCountsSql =
    "SELECT d.id, d.name, "
    "(SELECT COUNT(*) FROM accounts a WHERE a.domain_id = d.id), "
    "(SELECT COUNT(DISTINCT source) FROM aliases s WHERE s.domain_id = d.id) "
    "FROM domains d";

}  // namespace

Status Directory::add_domain(std::string_view name) {
  auto domain = detail::parse_domain_name(name);
  if (!domain) return domain.error();
  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto existing = detail::find_domain_id(db_, *domain);
  if (!existing) return existing.error();
  if (*existing) return user_error("domain " + *domain + " already exists");
  auto ins = db_.prepare("INSERT INTO domains (name, created_at) VALUES (?, ?)");
  if (!ins) return ins.error();
  ins->bind(1, *domain).bind(2, detail::now_seconds());
  if (auto s = ins->run(); !s) return s;
  return tx.commit();
}

Status Directory::remove_domain(std::string_view name) {
  auto domain = detail::parse_domain_name(name);
  if (!domain) return domain.error();
  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto st = db_.prepare(std::string(kDomainCountsSql) + " WHERE d.name = ?");
  if (!st) return st.error();
  st->bind(1, *domain);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return detail::unknown_domain_error(*domain);
  const int64_t id = st->int64(0), users = st->int64(2), aliases = st->int64(3);
  if (users > 0 || aliases > 0) {
    // Refusing is safer than cascading: removing users deletes their mail,
    // and that deserves its own explicit command per user.
    std::string what;
    if (users > 0) what = count_noun(users, "user", "users");
    if (aliases > 0) what += (what.empty() ? "" : " and ") + count_noun(aliases, "alias", "aliases");
    return user_error("domain " + *domain + " still has " + what + "; remove " +
                      (users + aliases == 1 ? "it" : "them") + " first");
  }
  auto del = db_.prepare("DELETE FROM domains WHERE id = ?");
  if (!del) return del.error();
  del->bind(1, id);
  if (auto s = del->run(); !s) return s;
  return tx.commit();
}

Result<std::vector<DomainInfo>> Directory::list_domains() {
  auto st = db_.prepare(std::string(kDomainCountsSql) + " ORDER BY d.name");
  if (!st) return st.error();
  std::vector<DomainInfo> out;
  auto s = st->each_row([&](const auto& r) {
    out.push_back({r.int64(0), r.text(1), r.int64(2), r.int64(3)});
  });
  if (!s) return s.error();
  return out;
}

bool Directory::is_local_domain(std::string_view domain) {
  // Callers pass what a peer sent; compare in our canonical (lower-case) form.
  auto canonical = parse_domain(domain);
  if (!canonical) return false;
  auto id = detail::find_domain_id(db_, *canonical);
  return id && id->has_value();
}

}  // namespace postern::directory
