// `postern ban list|add|remove`: the automatic bans (src/guard) as the
// operator sees them. Works on the database, with or without a running
// server; a running server picks changes up within a few seconds.
#include <CLI/CLI.hpp>

#include <ctime>
#include <iostream>

#include "cli/context.hpp"
#include "guard/guard.hpp"
#include "guard/sqlite_ban_store.hpp"
#include "mime/header.hpp"

namespace postern::cli {
namespace {

struct BanArgs {
  std::string source;
  std::string duration = "1d";
  std::string reason = "added by the administrator";
  bool all = false;
};

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

std::unique_ptr<guard::SqliteBanStore> open_store(Context& ctx) {
  auto store = guard::SqliteBanStore::open(ctx.config().server.data_dir);
  if (!store) fail(store.error().message);
  return std::move(*store);
}

// The key a ban is stored under: what the server computes for a connection
// from that address (IPv6: its /64). A network is taken as given.
std::string source_of(const std::string& text) {
  if (guard::IpAddress::parse(text)) return guard::source_key(text);
  auto network = guard::IpNetwork::parse(text);
  if (network && network->base.v6 && network->prefix == 64) return network->str();
  fail("\"" + text + "\" is not an IP address (e.g. 192.0.2.7 or 2001:db8::1) or an IPv6 /64");
}

}  // namespace

void register_ban_commands(CLI::App& app, Context& ctx) {
  auto* ban = app.add_subcommand("ban", "List, add and remove bans of client addresses (automatic bans included)");
  ban->require_subcommand(1);
  auto args = std::make_shared<BanArgs>();

  auto* list = ban->add_subcommand("list", "Bans in force: source, until, strikes, reason (--all: expired too)");
  list->add_flag("--all", args->all, "Also expired bans (they make the next ban of that source longer)");
  list->callback([&ctx, args] {
    auto store = open_store(ctx);
    auto bans = store->load();
    if (!bans) fail(bans.error().message);
    int64_t t = now();
    size_t shown = 0;
    for (const auto& b : *bans) {
      bool active = b.until > t;
      if (!active && !args->all) continue;
      ++shown;
      std::cout << b.source << "  " << (active ? "until " : "expired ") << mime::format_date(b.until)
                << "  strikes=" << b.strikes << "  reason=\"" << b.reason << "\"\n";
    }
    std::cout << shown << " ban(s)\n";
  });

  auto* add = ban->add_subcommand("add", "Ban ADDRESS (IPv6: its /64) for a time");
  add->add_option("ADDRESS", args->source, "An IP address, or an IPv6 network /64")->required();
  add->add_option("--for", args->duration, "How long: 90s, 30m, 12h, 7d, 2w (default 1d)");
  add->add_option("--reason", args->reason, "Shown in `ban list` and the log");
  add->callback([&ctx, args] {
    auto seconds = guard::parse_duration(args->duration);
    if (!seconds) fail("--for \"" + args->duration + "\": expected a duration such as 90s, 30m, 12h, 7d or 2w");
    std::string source = source_of(args->source);
    auto store = open_store(ctx);
    auto bans = store->load();
    if (!bans) fail(bans.error().message);
    unsigned strikes = 1;
    for (const auto& b : *bans)
      if (b.source == source) strikes = b.strikes + 1;
    int64_t t = now();
    guard::Ban b{source, t, t + *seconds, strikes, args->reason};
    if (auto s = store->save(b); !s) fail(s.error().message);
    std::cout << "banned " << source << " until " << mime::format_date(b.until) << "\n";
  });

  auto* remove = ban->add_subcommand("remove", "Lift the ban of ADDRESS (and forget its strikes)");
  remove->add_option("ADDRESS", args->source, "The address or /64 as `ban list` shows it")->required();
  remove->callback([&ctx, args] {
    std::string source = source_of(args->source);
    auto store = open_store(ctx);
    auto bans = store->load();
    if (!bans) fail(bans.error().message);
    bool found = false;
    for (const auto& b : *bans) found = found || b.source == source;
    if (!found) fail("no ban for " + source);
    if (auto s = store->remove(source); !s) fail(s.error().message);
    std::cout << "removed the ban of " << source << "\n";
  });
}

}  // namespace postern::cli
