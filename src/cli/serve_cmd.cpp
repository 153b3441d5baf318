// `postern serve`: run the server in the foreground (logs to stderr).
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "server/server.hpp"

namespace postern::cli {

void register_serve_command(CLI::App& app, Context& ctx) {
  auto* serve = app.add_subcommand("serve", "Run the mail server in the foreground (SIGTERM drains, SIGHUP reloads TLS)");
  serve->callback([&ctx] { std::exit(server::serve(ctx.config())); });
}

}  // namespace postern::cli
