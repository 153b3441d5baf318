// `postern store check`: the data directory's integrity checker
// (store/sqlite/store_check) for operators and the survival test. Read-only:
// safe with the server stopped or running.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "store/sqlite/store_check.hpp"

namespace postern::cli {

void register_store_commands(CLI::App& app, Context& ctx) {
  auto* store = app.add_subcommand("store", "Inspect the mail store in the data directory");
  store->require_subcommand(1);
  auto* check = store->add_subcommand(
      "check", "Check blobs against metadata, UIDs, MODSEQs, counters, the queue and SQLite itself; "
               "one line per problem, exit 1 when there is any");
  check->callback([&ctx] {
    const std::string& dir = ctx.config().server.data_dir;
    // Problems are printed as they are found: a large store takes a while.
    auto report = store::sqlite::check_store(dir, [](const std::string& line) { std::cout << line << "\n"; });
    if (!report) fail("store check of " + dir + " could not run: " + report.error().message, 2);
    std::cout << "store check: " << report->problems.size() << (report->problems.size() == 1 ? " problem" : " problems")
              << " (" << report->mailboxes << " mailboxes, " << report->messages << " messages in "
              << report->mailbox_rows << " mailbox rows, " << report->blobs << " blob files hashed, "
              << report->queue_messages << " queued messages)" << std::endl;
    std::exit(report->clean() ? 0 : 1);
  });
}

}  // namespace postern::cli
