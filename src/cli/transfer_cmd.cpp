// `postern import maildir|mbox` and `postern export maildir|mbox`: moving
// mail in from another server or client, and out again (src/transfer/).
// Both open the store the way the server does, without its startup garbage
// collection, so they are safe while the server runs (its open sessions see
// imported mail at their next SELECT).
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "directory/directory.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"
#include "transfer/exporters.hpp"
#include "transfer/importers.hpp"

namespace postern::cli {
namespace {

struct TransferArgs {
  std::string path;
  std::string user;
  std::string mailbox;
  std::string format = "mboxrd";
  std::string dates = "mtime";
};

int64_t account_of(Context& ctx, const std::string& address) {
  directory::Directory dir(ctx.db());
  auto user = dir.find_user(address);
  if (!user) fail(user.error().message);
  if (!*user) fail("unknown user '" + address + "' (create it first: postern user add " + address + ")");
  return (*user)->id;
}

std::unique_ptr<store::sqlite::SqliteMailStore> open_store(Context& ctx) {
  store::sqlite::StoreOptions options;
  options.collect_garbage = false;
  auto s = store::sqlite::SqliteMailStore::open(ctx.config().server.data_dir, options);
  if (!s) fail("cannot open the store in " + ctx.config().server.data_dir + ": " + s.error().message);
  return std::move(*s);
}

void finish_import(const Result<transfer::ImportReport>& report) {
  if (!report) fail(report.error().message);
  std::cout << report->summary();
  // Skipped files are reported, not fatal; a script still learns of them.
  if (!report->skipped.empty()) std::exit(3);
}

}  // namespace

void register_transfer_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TransferArgs>();

  auto* import = app.add_subcommand("import", "Import mail from a Maildir tree or an mbox file (idempotent)");
  import->require_subcommand(1);
  auto* maildir = import->add_subcommand(
      "maildir", "Import a Dovecot/Courier Maildir++ tree (INBOX and .Folder subdirectories) into an account");
  maildir->add_option("PATH", args->path, "The Maildir (the directory holding cur/ new/ tmp/ and .Folders)")
      ->required();
  maildir->add_option("--user", args->user, "The account to import into")->required();
  maildir->add_option("--date-from", args->dates,
                      "INTERNALDATE from the file's mtime (default, as Dovecot) or the delivery time in its name")
      ->check(CLI::IsMember({"mtime", "name"}));
  maildir->callback([&ctx, args] {
    const int64_t account = account_of(ctx, args->user);
    auto store = open_store(ctx);
    transfer::ImportTarget target{*store, ctx.config().server.data_dir, account, isatty(STDOUT_FILENO) == 1,
                                  ctx.config().smtp.max_message_size};
    auto dates = args->dates == "name" ? transfer::DateSource::file_name : transfer::DateSource::mtime;
    auto report = transfer::import_maildir(target, args->path, dates);
    store->drain();
    finish_import(report);
  });

  auto* mbox = import->add_subcommand("mbox", "Import an mbox file into one mailbox of an account");
  mbox->add_option("FILE", args->path, "The mbox file")->required();
  mbox->add_option("--user", args->user, "The account to import into")->required();
  mbox->add_option("--mailbox", args->mailbox, "Target mailbox (created when missing), e.g. INBOX or Archive/2019")
      ->required();
  mbox->add_option("--format", args->format,
                   "mboxrd (default: '>From ' and '>>From ' lose one '>') or mboxo (only '>From ' is unquoted)")
      ->check(CLI::IsMember({"mboxrd", "mboxo"}));
  mbox->callback([&ctx, args] {
    const int64_t account = account_of(ctx, args->user);
    auto store = open_store(ctx);
    transfer::ImportTarget target{*store, ctx.config().server.data_dir, account, isatty(STDOUT_FILENO) == 1,
                                  ctx.config().smtp.max_message_size};
    auto format = args->format == "mboxo" ? transfer::MboxFormat::mboxo : transfer::MboxFormat::mboxrd;
    auto report = transfer::import_mbox(target, args->path, args->mailbox, format);
    store->drain();
    finish_import(report);
  });

  auto* exp = app.add_subcommand("export", "Export an account's mail as a Maildir tree or mbox files");
  exp->require_subcommand(1);
  auto* emaildir = exp->add_subcommand("maildir", "Write every mailbox as a Maildir++ tree Dovecot can open");
  emaildir->add_option("--user", args->user, "The account to export")->required();
  emaildir->add_option("DIR", args->path, "Target directory (new or empty)")->required();
  emaildir->callback([&ctx, args] {
    const int64_t account = account_of(ctx, args->user);
    auto store = open_store(ctx);
    auto report = transfer::export_maildir(*store, account, args->path);
    if (!report) fail(report.error().message);
    std::cout << report->summary();
  });

  auto* embox = exp->add_subcommand(
      "mbox", "Write one mailbox to an mbox file (--mailbox), or every mailbox to NAME.mbox files in a directory");
  embox->add_option("--user", args->user, "The account to export")->required();
  embox->add_option("--mailbox", args->mailbox, "Only this mailbox, into the file PATH");
  embox->add_option("PATH", args->path, "The mbox file (with --mailbox) or a new or empty directory")->required();
  embox->callback([&ctx, args] {
    const int64_t account = account_of(ctx, args->user);
    auto store = open_store(ctx);
    std::optional<std::string> mailbox;
    if (!args->mailbox.empty()) mailbox = args->mailbox;
    auto report = transfer::export_mbox(*store, account, mailbox, args->path);
    if (!report) fail(report.error().message);
    std::cout << report->summary();
  });
}

}  // namespace postern::cli
