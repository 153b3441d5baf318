// Recipient resolution: one RCPT address -> the local accounts and external
// forwarding targets it reaches, after alias, plus-address and catch-all
// expansion. This runs for every recipient of every incoming message.
#include <algorithm>
#include <set>

#include "directory/directory.hpp"
#include "directory/internal.hpp"

namespace postern::directory {
namespace {

constexpr int kMaxAliasDepth = 10;

// One resolution walk. `expanded_` holds every alias source already
// expanded, so a loop (a -> b -> a) ends instead of recursing, and a target
// reached twice is delivered once.
class Resolver {
 public:
  Resolver(store::sqlite::Db& db, Resolution& out) : db_(db), out_(out) {}

  // Resolves the canonical `address` in local `domain`. Returns whether
  // anything (account, alias or catch-all) matched it.
  Result<bool> resolve_local(const std::string& address, const std::string& domain, int depth) {
    // Exact first, then without "+tag": user+tag@d reaches user@d, and an
    // alias list+x@d reaches list@d, but only when nothing has that exact name.
    std::vector<std::string> candidates{address};
    if (auto base = detail::without_plus_tag(address)) candidates.push_back(std::move(*base));
    for (const auto& candidate : candidates) {
      auto account = detail::find_account_id(db_, candidate);
      if (!account) return account.error();
      if (*account) {
        add_account(**account);
        return true;
      }
      auto alias = expand_alias(candidate, depth);
      if (!alias) return alias;
      if (*alias) return true;
    }
    // The catch-all only applies when nothing else matched.
    return expand_alias("@" + domain, depth);
  }

 private:
  // Expands the alias `source` if it exists; returns whether it does.
  Result<bool> expand_alias(const std::string& source, int depth) {
    auto st = db_.prepare("SELECT target FROM aliases WHERE source = ? ORDER BY id");
    if (!st) return st.error();
    st->bind(1, source);
    std::vector<std::string> targets;
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) break;
      targets.push_back(st->text(0));
    }
    if (targets.empty()) return false;
    // A loop or an over-deep chain matches (the alias exists) but adds
    // nothing more; what it reached so far still gets the mail.
    if (!expanded_.insert(source).second || depth >= kMaxAliasDepth) return true;
    for (const auto& text : targets) {
      auto target = parse_email_address(text);
      if (!target) continue;  // stored before a parser change; skip rather than fail the delivery
      // A database error must not turn a local target into a forward.
      auto local = detail::find_domain_id(db_, target->domain);
      if (!local) return local.error();
      if (!*local) {
        add_external(target->str());
        continue;
      }
      auto reached = resolve_local(detail::canonical(*target), target->domain, depth + 1);
      if (!reached) return reached;
    }
    return true;
  }

  void add_account(int64_t id) {
    if (std::find(out_.accounts.begin(), out_.accounts.end(), id) == out_.accounts.end()) out_.accounts.push_back(id);
  }
  void add_external(std::string address) {
    if (std::find(out_.external.begin(), out_.external.end(), address) == out_.external.end())
      out_.external.push_back(std::move(address));
  }

  store::sqlite::Db& db_;
  Resolution& out_;
  std::set<std::string> expanded_;
};

}  // namespace

Result<RecipientStatus> Directory::resolve(const EmailAddress& address, Resolution& out) {
  out = Resolution{};
  // Address literals (user@[192.0.2.1]) are never one of our domains.
  if (address.domain.empty() || address.domain.front() == '[') return RecipientStatus::not_local;
  auto domain = parse_domain(address.domain);
  if (!domain) return RecipientStatus::not_local;
  auto domain_id = detail::find_domain_id(db_, *domain);
  if (!domain_id) return domain_id.error();
  if (!*domain_id) return RecipientStatus::not_local;
  EmailAddress normalized{address.local, *domain};
  Resolver resolver(db_, out);
  auto matched = resolver.resolve_local(detail::canonical(normalized), *domain, 0);
  if (!matched) return matched.error();
  // An alias whose every target is gone (removed users, a pure loop) would
  // swallow mail silently; reject it like an unknown user instead.
  if (out.accounts.empty() && out.external.empty()) return RecipientStatus::unknown_user;
  return RecipientStatus::local;
}

}  // namespace postern::directory
