// `postern user add|passwd|quota|list|show|remove` (`user import` is in
// user_import_cmd.cpp): accounts, their passwords
// and storage quotas, and their removal (which deletes their mail, hence --yes).
#include <openssl/rand.h>

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "store/sqlite/mail_read.hpp"

namespace postern::cli {
namespace {

// 20 characters from a 64-symbol URL-safe alphabet: 120 bits of entropy,
// no characters that need quoting in shells or config files. 64 divides 256,
// so masking a random byte keeps every symbol equally likely.
std::string generate_password() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char random[20];
  if (RAND_bytes(random, sizeof random) != 1) fail("no randomness available to generate a password");
  std::string out;
  for (unsigned char b : random) out += kAlphabet[b & 63];
  return out;
}

uint64_t quota_or_fail(const std::string& text) {
  if (text == "unlimited" || text == "none") return 0;
  auto bytes = parse_byte_size(text);
  if (!bytes) fail("invalid quota '" + text + "': use a size such as 500M, 2G or 1048576, or 'unlimited'");
  return *bytes;
}

std::string canonical_or_fail(const std::string& address) {
  auto canonical = directory::canonical_address(address);
  if (!canonical) fail(canonical.error().message);
  return *canonical;
}

struct UserArgs {
  std::string address;
  std::string domain;
  std::string quota;
  bool generate = false;
  bool yes = false;
};

}  // namespace

void register_user_commands(CLI::App& app, Context& ctx) {
  auto* user = app.add_subcommand("user", "Manage user accounts (mailboxes that can log in)");
  user->require_subcommand(1);
  auto args = std::make_shared<UserArgs>();

  auto* add = user->add_subcommand(
      "add", "Add an account; the password is asked twice on a terminal or read as one line from stdin");
  add->add_option("ADDRESS", args->address, "Address of the account, e.g. alice@example.org")->required();
  add->add_flag("--generate-password", args->generate, "Generate a random password and print it");
  add->add_option("--quota", args->quota, "Storage quota, e.g. 2G or 500M (default: unlimited)");
  add->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    // Refuse before asking for a password that would be thrown away.
    if (auto s = dir.check_new_user(args->address); !s) fail(s.error().message);
    const uint64_t quota = args->quota.empty() ? 0 : quota_or_fail(args->quota);
    const std::string password = args->generate ? generate_password() : read_new_password();
    if (auto id = dir.add_user(args->address, password); !id) fail(id.error().message);
    if (quota > 0)
      if (auto s = dir.set_quota(args->address, quota); !s) fail(s.error().message);
    std::cout << "added user " << canonical_or_fail(args->address) << "\n";
    if (args->generate) std::cout << "password: " << password << "\n";
  });

  auto* passwd = user->add_subcommand("passwd", "Set a new password for an account (same input rules as add)");
  passwd->add_option("ADDRESS", args->address, "Address of the account")->required();
  passwd->add_flag("--generate-password", args->generate, "Generate a random password and print it");
  passwd->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto found = dir.find_user(args->address);
    if (!found) fail(found.error().message);
    if (!*found) fail("unknown user '" + canonical_or_fail(args->address) + "'");
    const std::string password = args->generate ? generate_password() : read_new_password();
    if (auto s = dir.set_password(args->address, password); !s) fail(s.error().message);
    std::cout << "changed password of " << (*found)->address << "\n";
    if (args->generate) std::cout << "password: " << password << "\n";
  });

  auto* quota = user->add_subcommand("quota", "Show an account's storage use and quota, or set the quota");
  quota->add_option("ADDRESS", args->address, "Address of the account")->required();
  quota->add_option("SIZE", args->quota, "New quota, e.g. 2G, 500M, or 'unlimited'");
  quota->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto found = dir.find_user(args->address);
    if (!found) fail(found.error().message);
    if (!*found) fail("unknown user '" + canonical_or_fail(args->address) + "'");
    if (!args->quota.empty()) {
      if (auto s = dir.set_quota((*found)->address, quota_or_fail(args->quota)); !s) fail(s.error().message);
    }
    auto usage = store::sqlite::quota_usage(ctx.db(), (*found)->id);
    if (!usage) fail(usage.error().message);
    std::cout << (*found)->address << ": " << format_byte_size(static_cast<uint64_t>(usage->used_bytes)) << " in "
              << usage->messages << " messages, quota "
              << (usage->limit_bytes ? format_byte_size(static_cast<uint64_t>(usage->limit_bytes)) : "unlimited")
              << "\n";
  });

  auto* list = user->add_subcommand("list", "List accounts, one address per line");
  list->add_option("DOMAIN", args->domain, "Only accounts in this domain");
  list->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto users = args->domain.empty() ? dir.list_users() : dir.list_users(args->domain);
    if (!users) fail(users.error().message);
    for (const auto& u : *users) std::cout << u.address << "\n";
  });

  auto* show = user->add_subcommand("show", "Show an account: address, password scheme, storage use and quota");
  show->add_option("ADDRESS", args->address, "Address of the account")->required();
  show->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto found = dir.find_user(args->address);
    if (!found) fail(found.error().message);
    if (!*found) fail("unknown user '" + canonical_or_fail(args->address) + "'");
    auto scheme = dir.password_scheme((*found)->address);
    if (!scheme) fail(scheme.error().message);
    auto usage = store::sqlite::quota_usage(ctx.db(), (*found)->id);
    if (!usage) fail(usage.error().message);
    std::cout << "address: " << (*found)->address << "\n"
              << "password_scheme: " << (scheme->empty() ? "unknown" : *scheme) << "\n"
              << "messages: " << usage->messages << "\n"
              << "used_bytes: " << usage->used_bytes << "\n"
              << "quota_bytes: " << usage->limit_bytes << "\n";
  });

  register_user_import_commands(*user, ctx);

  auto* remove = user->add_subcommand("remove", "Remove an account and delete all its mail (needs --yes)");
  remove->add_option("ADDRESS", args->address, "Address of the account")->required();
  remove->add_flag("--yes", args->yes, "Confirm that the account's mail is to be deleted");
  remove->callback([&ctx, args] {
    directory::Directory dir(ctx.db());
    auto found = dir.find_user(args->address);
    if (!found) fail(found.error().message);
    if (!*found) fail("unknown user '" + canonical_or_fail(args->address) + "'");
    const std::string address = (*found)->address;
    if (!args->yes)
      fail("removing " + address + " deletes its mailboxes and all its mail; to confirm, run: postern user remove " +
           address + " --yes");
    if (auto s = dir.remove_user(address); !s) fail(s.error().message);
    std::cout << "removed user " << address << "\n";
    // Aliases are kept (they may have other targets); say which now point nowhere.
    if (auto aliases = dir.list_aliases()) {
      for (const auto& a : *aliases)
        if (a.target == address)
          std::cerr << "note: alias " << a.source << " still points to " << address
                    << " (postern alias remove " << a.source << " " << address << ")\n";
    }
  });
}

}  // namespace postern::cli
