// `postern user import passwd-file|csv`: accounts moved in from another
// server with their password hashes as that server stored them (verified
// as they are, upgraded to Argon2id at the first login). Idempotent: an
// existing account is skipped; a missing domain is created (and said so).
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/context.hpp"
#include "directory/directory.hpp"
#include "directory/user_file.hpp"

namespace postern::cli {
namespace {

struct ImportArgs {
  std::string file;
  std::string domain;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void apply(Context& ctx, const std::string& file, const std::vector<directory::UserFileEntry>& entries) {
  directory::Directory dir(ctx.db());
  size_t added = 0, existing = 0, failed = 0, aliases = 0;
  std::set<std::string> created_domains;
  auto problem = [&](size_t line, const std::string& what) {
    std::cerr << file << ":" << line << ": " << what << "\n";
    ++failed;
  };
  for (const auto& e : entries) {
    if (!e.user) {
      problem(e.line, e.error);
      continue;
    }
    const auto& u = *e.user;
    auto canonical = directory::canonical_address(u.address);
    if (!canonical) {
      problem(u.line, canonical.error().message);
      continue;
    }
    const std::string domain = canonical->substr(canonical->rfind('@') + 1);
    if (!dir.is_local_domain(domain)) {
      if (auto s = dir.add_domain(domain); !s) {
        problem(u.line, s.error().message);
        continue;
      }
      created_domains.insert(domain);
      std::cout << "created domain " << domain << "\n";
    }
    auto found = dir.find_user(*canonical);
    if (!found) fail(found.error().message);
    if (*found) {
      ++existing;
    } else {
      auto id = dir.add_user_with_hash(*canonical, u.password_hash);
      if (!id) {
        problem(u.line, *canonical + ": " + id.error().message);
        continue;
      }
      ++added;
      if (u.quota && *u.quota > 0)
        if (auto s = dir.set_quota(*canonical, *u.quota); !s) problem(u.line, s.error().message);
    }
    for (const auto& a : u.aliases) {
      auto source = directory::canonical_address(a);
      if (!source) {
        problem(u.line, "alias " + a + ": " + source.error().message);
        continue;
      }
      auto list = dir.list_aliases();
      bool present = false;
      if (list)
        for (const auto& x : *list)
          if (x.source == *source && x.target == *canonical) present = true;
      if (present) continue;
      if (auto s = dir.add_alias(*source, {*canonical}); !s) problem(u.line, "alias " + a + ": " + s.error().message);
      else ++aliases;
    }
  }
  std::cout << "imported " << added << " users (" << existing << " already present), " << aliases << " aliases, "
            << created_domains.size() << " new domains; " << failed << " lines with errors\n";
  if (failed) std::exit(3);
}

}  // namespace

void register_user_import_commands(CLI::App& user, Context& ctx) {
  auto* import = user.add_subcommand(
      "import", "Import accounts with their existing password hashes (upgraded to Argon2id at first login)");
  import->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();

  auto* passwd = import->add_subcommand("passwd-file", "Dovecot passwd-file: user:{SCHEME}hash:uid:gid:gecos:home:shell:extra");
  passwd->add_option("FILE", args->file, "The passwd-file")->required();
  passwd->add_option("--domain", args->domain, "Domain for user names without '@'");
  passwd->callback([&ctx, args] {
    const std::string text = read_all(args->file);
    apply(ctx, args->file, directory::parse_passwd_file(text, args->domain));
  });

  auto* csv = import->add_subcommand("csv", "CSV with a header row: address,password_hash[,aliases][,quota]");
  csv->add_option("FILE", args->file, "The CSV file")->required();
  csv->callback([&ctx, args] {
    auto entries = directory::parse_user_csv(read_all(args->file));
    if (!entries) fail(args->file + ":1: " + entries.error().message);
    apply(ctx, args->file, *entries);
  });
}

}  // namespace postern::cli
