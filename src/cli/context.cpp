// Shared CLI plumbing: config loading, database opening, password prompts.
#include "cli/context.hpp"

#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "store/sqlite/schema.hpp"

namespace postern::cli {

void fail(const std::string& message, int status) {
  std::cerr << "postern: " << message << "\n";
  std::exit(status);
}

const Config& Context::config() {
  if (!config_) {
    auto c = load_config(config_path);
    if (!c) fail(c.error().message, 2);
    config_ = std::move(*c);
  }
  return *config_;
}

std::string Context::database_path() { return config().server.data_dir + "/postern.db"; }

store::sqlite::Db& Context::db() {
  if (!db_) {
    std::error_code ec;
    std::filesystem::create_directories(config().server.data_dir, ec);
    if (ec) fail("cannot create data directory " + config().server.data_dir + ": " + ec.message());
    auto db = store::sqlite::Db::open(database_path());
    if (!db) fail(db.error().message);
    if (auto s = store::sqlite::migrate(*db); !s) fail(s.error().message);
    db_ = std::move(*db);
  }
  return *db_;
}

namespace {
std::string read_hidden(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return line;
}
}  // namespace

std::string read_new_password() {
  std::string pw;
  if (isatty(STDIN_FILENO)) {
    pw = read_hidden("New password: ");
    if (read_hidden("Repeat password: ") != pw) fail("passwords do not match");
  } else {
    if (!std::getline(std::cin, pw)) fail("no password on standard input");
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  }
  if (pw.empty()) fail("empty password");
  if (pw.size() > 1024) fail("password longer than 1024 bytes");
  return pw;
}

}  // namespace postern::cli
