// Send-as grants: which accounts may use a role address (pr@, info@...) as
// their From, checked by submission. An account may always send as itself
// and its plus-addresses.
#include "directory/directory.hpp"
#include "directory/internal.hpp"

namespace postern::directory {
namespace {

// Canonical role address plus the id of the (existing) account.
struct GrantKey {
  std::string address;
  std::string account;
  int64_t account_id = 0;
};

Result<GrantKey> parse_grant(store::sqlite::Db& db, std::string_view address, std::string_view account) {
  auto role = detail::parse_address(address);
  if (!role) return role.error();
  auto user = detail::parse_address(account);
  if (!user) return user.error();
  GrantKey key{detail::canonical(*role), detail::canonical(*user)};
  auto id = detail::find_account_id(db, key.account);
  if (!id) return id.error();
  if (!*id) return user_error("unknown user '" + key.account + "' (add it with: postern user add " + key.account + ")");
  key.account_id = **id;
  return key;
}

}  // namespace

Status Directory::grant_sendas(std::string_view address, std::string_view account) {
  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto key = parse_grant(db_, address, account);
  if (!key) return key.error();
  if (key->address == key->account) return user_error(key->account + " may always send as itself");
  auto ins = db_.prepare("INSERT OR IGNORE INTO sendas (address, account_id) VALUES (?, ?)");
  if (!ins) return ins.error();
  ins->bind(1, key->address).bind(2, key->account_id);
  if (auto s = ins->run(); !s) return s;
  if (db_.changes() == 0) return user_error(key->account + " may already send as " + key->address);
  return tx.commit();
}

Status Directory::revoke_sendas(std::string_view address, std::string_view account) {
  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto key = parse_grant(db_, address, account);
  if (!key) return key.error();
  auto del = db_.prepare("DELETE FROM sendas WHERE address = ? AND account_id = ?");
  if (!del) return del.error();
  del->bind(1, key->address).bind(2, key->account_id);
  if (auto s = del->run(); !s) return s;
  if (db_.changes() == 0) return user_error(key->account + " has no grant to send as " + key->address);
  return tx.commit();
}

Result<std::vector<SendAsGrant>> Directory::list_sendas(std::optional<std::string_view> address) {
  std::string filter;
  if (address) {
    auto role = detail::parse_address(*address);
    if (!role) return role.error();
    filter = detail::canonical(*role);
  }
  auto st = db_.prepare(address ? "SELECT s.address, a.address FROM sendas s JOIN accounts a ON a.id = s.account_id "
                                  "WHERE s.address = ? ORDER BY s.address, a.address"
                                : "SELECT s.address, a.address FROM sendas s JOIN accounts a ON a.id = s.account_id "
                                  "ORDER BY s.address, a.address");
  if (!st) return st.error();
  if (address) st->bind(1, filter);
  std::vector<SendAsGrant> out;
  auto s = st->each_row([&](const auto& r) {
    out.push_back({r.text(0), r.text(1)});
  });
  if (!s) return s.error();
  return out;
}

Result<bool> Directory::may_send_as(int64_t account_id, std::string_view address) {
  auto from = detail::parse_address(address);
  if (!from) return from.error();
  const std::string canonical = detail::canonical(*from);

  auto own = db_.prepare("SELECT address FROM accounts WHERE id = ?");
  if (!own) return own.error();
  own->bind(1, account_id);
  auto row = own->step();
  if (!row) return row.error();
  if (!*row) return false;  // the account was removed meanwhile
  const std::string own_address = own->text(0);
  if (canonical == own_address) return true;
  if (auto base = detail::without_plus_tag(canonical); base && *base == own_address) return true;

  auto grant = db_.prepare("SELECT 1 FROM sendas WHERE address = ? AND account_id = ?");
  if (!grant) return grant.error();
  grant->bind(1, canonical).bind(2, account_id);
  auto granted = grant->step();
  if (!granted) return granted.error();
  return *granted;
}

}  // namespace postern::directory
