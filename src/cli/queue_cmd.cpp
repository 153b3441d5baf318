// `postern queue list|show|retry|remove|flush|inject`: inspect and steer
// the outbound queue. `inject` is the operator's sendmail(1): it queues a
// message read from stdin for remote delivery without any authentication,
// so it is for the server's administrator (scripts, cron, resending), not
// for users (they use submission). Works whether or not the server runs (SQLite WAL); a
// running server picks up retry/flush at its next scan (queue.scan_interval_seconds).
#include <CLI/CLI.hpp>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "cli/context.hpp"
#include "mime/header.hpp"
#include "queue/outbound_queue.hpp"

namespace postern::cli {
namespace {

std::unique_ptr<queue::OutboundQueue> open_queue(Context& ctx) {
  ctx.db();  // creates and migrates the database
  auto q = queue::OutboundQueue::open(ctx.config().server.data_dir, ctx.config().queue, queue::OutboundQueue::Mode::admin);
  if (!q) fail(q.error().message);
  return std::move(*q);
}

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string sender_text(const std::string& s) { return s.empty() ? "<>" : s; }

}  // namespace

void register_queue_commands(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("queue", "Inspect and manage the outbound mail queue");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "One line per queued message: id, age, size, sender, recipients left");
  list->callback([&ctx] {
    auto q = open_queue(ctx);
    auto all = q->list();
    if (!all) fail(all.error().message);
    for (const auto& e : *all) {
      int waiting = 0;
      for (const auto& r : e.recipients)
        if (r.state == queue::RecipientState::pending || r.state == queue::RecipientState::inflight) ++waiting;
      std::cout << e.id << "  age=" << (now() - e.created_at) << "s size=" << e.size << " from=" << sender_text(e.sender)
                << " recipients=" << e.recipients.size() << " waiting=" << waiting << (e.is_dsn ? " dsn" : "") << "\n";
    }
    std::cout << all->size() << " message(s) in the queue\n";
  });

  auto id = std::make_shared<int64_t>(0);
  auto* show = cmd->add_subcommand("show", "Every recipient of one message with its state, attempts and last reply");
  show->add_option("ID", *id, "Queue id (from `postern queue list`)")->required();
  show->callback([&ctx, id] {
    auto q = open_queue(ctx);
    auto e = q->show(*id);
    if (!e) fail(e.error().message);
    if (!*e) fail("no queued message " + std::to_string(*id));
    const auto& m = **e;
    std::cout << "id: " << m.id << "\nfrom: " << sender_text(m.sender) << "\nqueued: " << mime::format_date(m.created_at)
              << "\nsize: " << m.size << "\nsmtputf8: " << (m.smtputf8 ? "yes" : "no") << "\n";
    for (const auto& r : m.recipients) {
      std::cout << "  " << r.address << "  " << queue::to_string(r.state) << " attempts=" << r.attempts;
      if (r.state == queue::RecipientState::pending) std::cout << " next=" << mime::format_date(r.next_attempt);
      if (!r.last_reply.empty()) std::cout << " last=\"" << r.last_reply << "\"";
      std::cout << "\n";
    }
  });

  auto* retry = cmd->add_subcommand("retry", "Make one message's waiting recipients due now");
  retry->add_option("ID", *id, "Queue id")->required();
  retry->callback([&ctx, id] {
    auto q = open_queue(ctx);
    auto n = q->retry(*id, now());
    if (!n) fail(n.error().message);
    std::cout << "rescheduled " << *n << " recipient(s) of message " << *id << "\n";
  });

  auto* flush = cmd->add_subcommand("flush", "Make every waiting recipient due now");
  flush->callback([&ctx] {
    auto q = open_queue(ctx);
    auto n = q->retry(std::nullopt, now());
    if (!n) fail(n.error().message);
    std::cout << "rescheduled " << *n << " recipient(s)\n";
  });

  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::vector<std::string>>();
  auto* inject = cmd->add_subcommand(
      "inject", "Admin tool (like sendmail): queue the message on stdin for remote delivery, no authentication");
  inject->add_option("--from", *from, "Envelope sender (\"\" for the null sender)")->required();
  inject->add_option("--to", *to, "Envelope recipient (repeat for several)")->required();
  inject->callback([&ctx, from, to] {
    auto q = open_queue(ctx);
    std::string raw((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    // Stored and sent with CRLF line ends (RFC 5322 §2.1).
    std::string content;
    content.reserve(raw.size() + raw.size() / 32);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) content += '\r';
      content += raw[i];
    }
    if (content.empty()) fail("no message on stdin");
    // The server creates these on start; the CLI may run first.
    std::error_code ec;
    std::filesystem::create_directories(ctx.config().server.data_dir + "/queue/blobs", ec);
    std::filesystem::create_directories(ctx.config().server.data_dir + "/queue/tmp", ec);
    auto id = q->enqueue({*from, *to, content, false}, now());
    if (!id) fail(id.error().message);
    std::cout << "queued message " << *id << "\n";
  });

  auto* remove = cmd->add_subcommand("remove", "Delete a queued message without delivering it or bouncing it");
  remove->add_option("ID", *id, "Queue id")->required();
  remove->callback([&ctx, id] {
    auto q = open_queue(ctx);
    auto ok = q->remove(*id);
    if (!ok) fail(ok.error().message);
    if (!*ok) fail("no queued message " + std::to_string(*id));
    std::cout << "removed message " << *id << "\n";
  });
}

}  // namespace postern::cli
