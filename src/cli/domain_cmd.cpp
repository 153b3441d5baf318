// `postern domain add|list|remove|dns`: the domains we receive mail for
// (`dns` lives in domain_dns.cpp).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "directory/directory.hpp"

namespace postern::cli {
namespace {
// The name as stored (lower-cased), for the success message.
std::string display_domain(const std::string& name) {
  auto canonical = parse_domain(name);
  return canonical ? *canonical : name;
}
}  // namespace

void register_domain_commands(CLI::App& app, Context& ctx) {
  auto* domain = app.add_subcommand("domain", "Manage the domains this server receives mail for");
  domain->require_subcommand(1);

  auto name = std::make_shared<std::string>();
  auto* add = domain->add_subcommand("add", "Add a domain (then add users and aliases in it)");
  add->add_option("NAME", *name, "Domain name, e.g. example.org")->required();
  add->callback([&ctx, name] {
    directory::Directory dir(ctx.db());
    if (auto s = dir.add_domain(*name); !s) fail(s.error().message);
    std::cout << "added domain " << display_domain(*name) << "\n";
  });

  auto* list = domain->add_subcommand("list", "List domains with their numbers of users and aliases");
  list->callback([&ctx] {
    directory::Directory dir(ctx.db());
    auto domains = dir.list_domains();
    if (!domains) fail(domains.error().message);
    for (const auto& d : *domains)
      std::cout << d.name << "  users=" << d.accounts << " aliases=" << d.aliases << "\n";
  });

  auto* remove = domain->add_subcommand("remove", "Remove a domain that has no users and no aliases left");
  remove->add_option("NAME", *name, "Domain name")->required();
  remove->callback([&ctx, name] {
    directory::Directory dir(ctx.db());
    if (auto s = dir.remove_domain(*name); !s) fail(s.error().message);
    std::cout << "removed domain " << display_domain(*name) << "\n";
  });

  register_domain_dns_command(*domain, ctx);
}

}  // namespace postern::cli
