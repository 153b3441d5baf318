// Aliases: receive-only addresses (and per-domain catch-alls "@domain")
// whose mail goes to one or more targets, local or external.
#include <algorithm>

#include "directory/directory.hpp"
#include "core/strings.hpp"
#include "directory/internal.hpp"

namespace postern::directory {
namespace {

struct AliasSource {
  std::string canonical;  // local@domain or @domain
  std::string domain;
  bool catch_all = false;
};

Result<AliasSource> parse_source(std::string_view text) {
  if (!text.empty() && text.front() == '@') {
    auto domain = detail::parse_domain_name(text.substr(1));
    if (!domain) return domain.error();
    return AliasSource{"@" + *domain, *domain, true};
  }
  auto parsed = detail::parse_address(text);
  if (!parsed) return parsed.error();
  return AliasSource{detail::canonical(*parsed), parsed->domain, false};
}

}  // namespace

Status Directory::add_alias(std::string_view source_text, const std::vector<std::string>& targets_text) {
  auto source = parse_source(source_text);
  if (!source) return source.error();
  if (targets_text.empty()) return user_error("alias " + source->canonical + " needs at least one target");

  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto domain_id = detail::find_domain_id(db_, source->domain);
  if (!domain_id) return domain_id.error();
  if (!*domain_id) return detail::unknown_domain_error(source->domain);
  if (!source->catch_all) {
    auto account = detail::find_account_id(db_, source->canonical);
    if (!account) return account.error();
    if (*account)
      return user_error(source->canonical + " is a user account; an alias with the same address would never be used");
  }

  // Targets in our domains are stored canonically so that resolve() finds
  // them; external targets keep the local part's case (RFC 5321 §2.4: only
  // the receiving host may treat it as case-insensitive).
  std::vector<std::string> targets;
  for (const auto& text : targets_text) {
    auto parsed = detail::parse_address(text);
    if (!parsed) return parsed.error();
    auto local_domain = detail::find_domain_id(db_, parsed->domain);
    if (!local_domain) return local_domain.error();
    std::string target = *local_domain ? detail::canonical(*parsed) : parsed->str();
    if (target == source->canonical) return user_error("alias " + target + " cannot point to itself");
    bool seen = std::any_of(targets.begin(), targets.end(), [&](const auto& t) { return iequals(t, target); });
    if (!seen) targets.push_back(std::move(target));
  }

  // Case-blind for external targets too: Bob@x and bob@x are one mailbox
  // at nearly every host, and forwarding twice would duplicate mail.
  auto exists = db_.prepare("SELECT target FROM aliases WHERE source = ? AND target = ? COLLATE NOCASE");
  auto ins = db_.prepare("INSERT INTO aliases (domain_id, source, target) VALUES (?, ?, ?)");
  if (!exists) return exists.error();
  if (!ins) return ins.error();
  for (const auto& target : targets) {
    exists->bind(1, source->canonical).bind(2, target);
    auto row = exists->step();
    if (!row) return row.error();
    if (*row) return user_error("alias " + source->canonical + " -> " + exists->text(0) + " already exists");
    exists->reset();
    ins->bind(1, **domain_id).bind(2, source->canonical).bind(3, target);
    if (auto s = ins->run(); !s) return s;
  }
  return tx.commit();
}

Status Directory::remove_alias(std::string_view source_text, std::string_view target_text) {
  auto source = parse_source(source_text);
  if (!source) return source.error();

  store::sqlite::WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto known = detail::alias_source_exists(db_, source->canonical);
  if (!known) return known.error();
  if (!*known) return user_error("unknown alias '" + source->canonical + "'");

  if (target_text.empty()) {
    auto del = db_.prepare("DELETE FROM aliases WHERE source = ?");
    if (!del) return del.error();
    del->bind(1, source->canonical);
    if (auto s = del->run(); !s) return s;
    return tx.commit();
  }
  auto target = detail::parse_address(target_text);
  if (!target) return target.error();
  // External targets keep the case they were added with; match the admin's
  // spelling case-blind (ASCII, like the canonical form).
  auto del = db_.prepare("DELETE FROM aliases WHERE source = ? AND target = ? COLLATE NOCASE");
  if (!del) return del.error();
  del->bind(1, source->canonical).bind(2, target->str());
  if (auto s = del->run(); !s) return s;
  if (db_.changes() == 0)
    return user_error("alias " + source->canonical + " has no target " + target->str());
  return tx.commit();
}

Result<std::vector<AliasInfo>> Directory::list_aliases(std::optional<std::string_view> domain) {
  auto filter = detail::domain_filter(db_, domain);
  if (!filter) return filter.error();
  std::optional<int64_t> domain_id = *filter;
  // Targets in the order they were added: the admin's order is meaningful.
  auto st = db_.prepare(domain_id ? "SELECT source, target FROM aliases WHERE domain_id = ? ORDER BY source, id"
                                  : "SELECT source, target FROM aliases ORDER BY source, id");
  if (!st) return st.error();
  if (domain_id) st->bind(1, *domain_id);
  std::vector<AliasInfo> out;
  auto s = st->each_row([&](const auto& r) {
    out.push_back({r.text(0), r.text(1)});
  });
  if (!s) return s.error();
  return out;
}

}  // namespace postern::directory
