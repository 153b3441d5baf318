// `postern config check`: validate the configuration file without starting
// anything. Errors (one `file:line:column: problem` per line) exit with 2.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"

namespace postern::cli {

void register_config_commands(CLI::App& app, Context& ctx) {
  auto* config = app.add_subcommand("config", "Inspect the configuration file");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate the configuration file and report every problem");
  check->callback([&ctx] {
    const Config& cfg = ctx.config();  // prints the problems and exits 2 on error
    const size_t n = cfg.listeners.size();
    std::cout << "config OK: " << ctx.config_path << " (" << n << (n == 1 ? " listener" : " listeners") << ")\n";
  });
}

}  // namespace postern::cli
