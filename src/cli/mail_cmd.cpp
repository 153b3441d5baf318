// `postern mailbox list` and `postern message list|show`: look at what is
// stored for a user, straight from the database and blob files (works
// whether or not the server is running; read-only).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "directory/directory.hpp"
#include "mime/header.hpp"
#include "store/blob_store.hpp"
#include "store/sqlite/mail_read.hpp"

namespace postern::cli {
namespace {

int64_t account_id_of(Context& ctx, const std::string& address) {
  directory::Directory dir(ctx.db());
  auto user = dir.find_user(address);
  if (!user) fail(user.error().message);
  if (!*user) fail("unknown user " + address);
  return (*user)->id;
}

}  // namespace

void register_mail_commands(CLI::App& app, Context& ctx) {
  auto* mailbox = app.add_subcommand("mailbox", "Inspect a user's mailboxes");
  mailbox->require_subcommand(1);
  auto* mb_list = mailbox->add_subcommand("list", "List mailboxes: name, special use, messages, bytes, UIDNEXT");
  static std::string mb_user;
  mb_list->add_option("USER", mb_user, "The user's address")->required();
  mb_list->callback([&ctx] {
    auto boxes = store::sqlite::list_mailboxes(ctx.db(), account_id_of(ctx, mb_user));
    if (!boxes) fail(boxes.error().message);
    for (const auto& b : *boxes)
      std::cout << b.name << "\t" << (b.special_use.empty() ? "-" : b.special_use) << "\tmessages=" << b.messages
                << "\tbytes=" << b.bytes << "\tuidnext=" << b.uidnext << "\n";
  });

  auto* message = app.add_subcommand("message", "Inspect stored messages");
  message->require_subcommand(1);
  static std::string msg_user, msg_mailbox = "INBOX";
  static uint32_t msg_uid = 0;
  auto* list = message->add_subcommand("list", "List messages of a mailbox: UID, size, date, sender, subject");
  list->add_option("USER", msg_user, "The user's address")->required();
  list->add_option("-m,--mailbox", msg_mailbox, "Mailbox name (default INBOX)");
  // The IMAP state of each row instead, for comparing what clients see with
  // what is stored (tests, support questions).
  static bool msg_flags = false;
  list->add_flag("--flags", msg_flags, "Print UID, MODSEQ and flags instead");
  list->callback([&ctx] {
    auto msgs = store::sqlite::list_messages(ctx.db(), account_id_of(ctx, msg_user), msg_mailbox);
    if (!msgs) fail(msgs.error().message);
    for (const auto& m : *msgs) {
      if (msg_flags) {
        std::cout << m.uid << "\t" << m.modseq << "\t" << m.flags << "\n";
        continue;
      }
      std::cout << m.uid << "\t" << m.size << "\t" << mime::format_date(m.internal_date) << "\t<"
                << m.return_path << ">\t" << m.summary.subject << "\n";
    }
  });
  auto* show = message->add_subcommand("show", "Print one message exactly as stored");
  show->add_option("USER", msg_user, "The user's address")->required();
  show->add_option("UID", msg_uid, "The message's UID in the mailbox")->required();
  show->add_option("-m,--mailbox", msg_mailbox, "Mailbox name (default INBOX)");
  show->callback([&ctx] {
    auto hash = store::sqlite::find_message_blob(ctx.db(), account_id_of(ctx, msg_user), msg_mailbox, msg_uid);
    if (!hash) fail(hash.error().message);
    store::BlobStore blobs(ctx.config().server.data_dir);
    auto content = blobs.read(*hash);
    if (!content) fail(content.error().message);
    std::cout.write(content->data(), static_cast<std::streamsize>(content->size()));
    std::cout.flush();
  });
}

}  // namespace postern::cli
