// `postern sendas grant|revoke|list`: which accounts may send mail as a
// role address (enforced by submission on the envelope sender and From).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "directory/directory.hpp"

namespace postern::cli {
namespace {

struct SendAsArgs {
  std::string address;
  std::string user;
};

std::string canonical_or(const std::string& address) {
  auto canonical = directory::canonical_address(address);
  return canonical ? *canonical : address;
}

}  // namespace

void register_sendas_commands(CLI::App& app, Context& ctx) {
  auto* sendas = app.add_subcommand("sendas", "Manage who may send as a role address (e.g. info@, sales@)");
  sendas->require_subcommand(1);
  auto args = std::make_shared<SendAsArgs>();

  auto* grant = sendas->add_subcommand("grant", "Allow the account USER to send mail as ADDRESS");
  grant->add_option("ADDRESS", args->address, "The role address, e.g. info@example.org")->required();
  grant->add_option("USER", args->user, "An existing account, e.g. alice@example.org")->required();
  grant->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    if (auto s = dir.grant_sendas(args->address, args->user); !s) fail(s.error().message);
    std::cout << canonical_or(args->user) << " may now send as " << canonical_or(args->address) << "\n";
  });

  auto* revoke = sendas->add_subcommand("revoke", "Stop USER from sending as ADDRESS");
  revoke->add_option("ADDRESS", args->address, "The role address")->required();
  revoke->add_option("USER", args->user, "The account")->required();
  revoke->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    if (auto s = dir.revoke_sendas(args->address, args->user); !s) fail(s.error().message);
    std::cout << canonical_or(args->user) << " may no longer send as " << canonical_or(args->address) << "\n";
  });

  auto* list = sendas->add_subcommand("list", "List grants as 'address -> user' lines");
  list->add_option("ADDRESS", args->address, "Only grants for this address");
  list->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto grants = args->address.empty() ? dir.list_sendas() : dir.list_sendas(args->address);
    if (!grants) fail(grants.error().message);
    for (const auto& g : *grants) std::cout << g.address << " -> " << g.account << "\n";
  });
}

}  // namespace postern::cli
