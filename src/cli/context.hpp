// What every CLI subcommand shares: the --config option, and lazily the
// loaded config and an open, migrated database. Failures here print a
// precise message and exit with status 1 (or 2 for config errors).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "store/sqlite/db.hpp"

namespace CLI {
class App;
}
namespace postern::mailauth {
struct StoredKey;
class PrivateKey;
}  // namespace postern::mailauth

namespace postern::cli {

class Context {
 public:
  std::string config_path = default_config_path();

  // Loads the config once; on error prints it and exits(2).
  const Config& config();
  // Opens <data_dir>/postern.db (creating data_dir) and migrates; exits(1) on error.
  store::sqlite::Db& db();
  std::string database_path();

 private:
  std::optional<Config> config_;
  std::optional<store::sqlite::Db> db_;
};

// Prints "postern: <message>" to stderr and exits with `status`.
[[noreturn]] void fail(const std::string& message, int status = 1);

// Reads a new password: from the terminal (asked twice, not echoed) when
// stdin is a TTY, otherwise one line from stdin. Exits on mismatch or empty.
std::string read_new_password();

// Each group registers its subcommands on the root app.
void register_config_commands(CLI::App& app, Context& ctx);
void register_serve_command(CLI::App& app, Context& ctx);
void register_domain_commands(CLI::App& app, Context& ctx);
void register_user_commands(CLI::App& app, Context& ctx);
void register_alias_commands(CLI::App& app, Context& ctx);
void register_sendas_commands(CLI::App& app, Context& ctx);
void register_mail_commands(CLI::App& app, Context& ctx);
void register_dkim_commands(CLI::App& app, Context& ctx);
// `domain dns`, registered on the `domain` group.
void register_domain_dns_command(CLI::App& domain, Context& ctx);

// The zone-file line publishing a DKIM key (dkim keygen, domain dns).
std::string dkim_record_line(const mailauth::StoredKey& key, const mailauth::PrivateKey& private_key);
void register_queue_commands(CLI::App& app, Context& ctx);
void register_ban_commands(CLI::App& app, Context& ctx);
// `store check` (store_cmd.cpp).
void register_store_commands(CLI::App& app, Context& ctx);
// `import` and `export` (transfer_cmd.cpp).
void register_transfer_commands(CLI::App& app, Context& ctx);
// `user import passwd-file|csv`, registered on the `user` group.
void register_user_import_commands(CLI::App& user, Context& ctx);

}  // namespace postern::cli
