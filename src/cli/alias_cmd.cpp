// `postern alias add|remove|list`: receive-only addresses and catch-alls
// (@domain) that forward to local accounts or external addresses.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "directory/directory.hpp"

namespace postern::cli {
namespace {

struct AliasArgs {
  std::string source;
  std::vector<std::string> targets;
  std::string target;
  std::string domain;
};

// The source as stored, for the success message: "@domain" or local@domain.
std::string display_source(const std::string& source) {
  if (!source.empty() && source.front() == '@') {
    auto domain = parse_domain(source.substr(1));
    return domain ? "@" + *domain : source;
  }
  auto canonical = directory::canonical_address(source);
  return canonical ? *canonical : source;
}

}  // namespace

void register_alias_commands(CLI::App& app, Context& ctx) {
  auto* alias = app.add_subcommand("alias", "Manage aliases: addresses that forward to other addresses");
  alias->require_subcommand(1);
  auto args = std::make_shared<AliasArgs>();

  auto* add = alias->add_subcommand(
      "add", "Forward SOURCE (local@domain, or @domain for a catch-all) to one or more TARGETs, local or external");
  add->add_option("SOURCE", args->source, "Alias address in one of our domains, or @domain for a catch-all")
      ->required();
  add->add_option("TARGET", args->targets, "Where its mail goes (any valid address)")->required();
  add->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    if (auto s = dir.add_alias(args->source, args->targets); !s) fail(s.error().message);
    const std::string source = display_source(args->source);
    for (const auto& target : args->targets) std::cout << "added alias " << source << " -> " << target << "\n";
  });

  auto* remove = alias->add_subcommand("remove", "Remove one TARGET of an alias, or the whole alias");
  remove->add_option("SOURCE", args->source, "Alias address or @domain")->required();
  remove->add_option("TARGET", args->target, "Only remove this target (default: all targets)");
  remove->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    if (auto s = dir.remove_alias(args->source, args->target); !s) fail(s.error().message);
    const std::string source = display_source(args->source);
    if (args->target.empty()) std::cout << "removed alias " << source << "\n";
    else std::cout << "removed alias " << source << " -> " << args->target << "\n";
  });

  auto* list = alias->add_subcommand("list", "List aliases as 'source -> target' lines");
  list->add_option("DOMAIN", args->domain, "Only aliases in this domain");
  list->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto aliases = args->domain.empty() ? dir.list_aliases() : dir.list_aliases(args->domain);
    if (!aliases) fail(aliases.error().message);
    for (const auto& a : *aliases) std::cout << a.source << " -> " << a.target << "\n";
  });
}

}  // namespace postern::cli
