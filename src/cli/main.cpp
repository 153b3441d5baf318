// `postern`: the one binary. Subcommand groups live in their own files and
// register themselves here.
#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

int main(int argc, char** argv) {
  // The data directory holds password hashes and mail: nothing we create is
  // readable by other users (secrets files 0600).
  ::umask(077);
  postern::cli::Context ctx;
  CLI::App app{"Postern: a complete mail server in one program"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "postern 0.1.0");
  app.add_option("-c,--config", ctx.config_path, "Configuration file (default $POSTERN_CONFIG or /etc/postern/postern.toml)")
      ->check(CLI::ExistingFile);
  app.fallthrough();
  postern::cli::register_config_commands(app, ctx);
  postern::cli::register_serve_command(app, ctx);
  postern::cli::register_domain_commands(app, ctx);
  postern::cli::register_user_commands(app, ctx);
  postern::cli::register_alias_commands(app, ctx);
  postern::cli::register_sendas_commands(app, ctx);
  postern::cli::register_mail_commands(app, ctx);
  postern::cli::register_dkim_commands(app, ctx);
  postern::cli::register_queue_commands(app, ctx);
  postern::cli::register_ban_commands(app, ctx);
  postern::cli::register_store_commands(app, ctx);
  postern::cli::register_transfer_commands(app, ctx);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
