// `postern domain dns DOMAIN`: every DNS record the domain needs, in zone
// file syntax, from the config (server.hostname, listeners) and the DKIM
// keys on disk: MX, SPF, DKIM, DMARC, and the SRV/autoconfig records mail
// clients use to find the servers.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.hpp"
#include "core/email_address.hpp"
#include "directory/directory.hpp"
#include "mailauth/key_record.hpp"
#include "mailauth/key_store.hpp"

namespace postern::cli {
namespace {

// RFC 6186 service records, implicit TLS first (RFC 8314 §5.1: clients
// prefer the lower priority value).
struct ClientService {
  const char* srv;       // "_imaps._tcp"
  const char* protocol;  // listener protocol in the config
  unsigned priority;
};
constexpr ClientService kClientServices[] = {
    {"_submissions._tcp", "submissions", 0},
    {"_submission._tcp", "submission", 10},
    {"_imaps._tcp", "imaps", 0},
    {"_imap._tcp", "imap", 10},
    {"_pop3s._tcp", "pop3s", 0},
    {"_pop3._tcp", "pop3", 10},
};

const ListenerConfig* listener_for(const Config& config, std::string_view protocol) {
  for (const auto& l : config.listeners)
    if (l.protocol == protocol) return &l;
  return nullptr;
}

void print_records(const Config& config, const std::string& domain) {
  const std::string host = config.server.hostname + ".";
  const std::string apex = domain + ".";
  if (config.server.hostname == "localhost" || config.server.hostname.find('.') == std::string::npos)
    std::cerr << "postern: warning: server.hostname is '" << config.server.hostname
              << "'; set it to the server's public name so that these records are usable\n";

  std::cout << "; DNS records for " << domain << ", served by " << config.server.hostname
            << " (server.hostname).\n\n";

  std::cout << "; Mail for the domain comes to this server (RFC 5321 §5.1). " << host << " needs\n"
            << "; A/AAAA records with its public addresses, and each address a PTR back to it.\n"
            << apex << " IN MX 10 " << host << "\n\n";

  std::cout << "; SPF (RFC 7208): only the MX host sends mail for the domain.\n"
            << apex << " IN TXT \"v=spf1 mx -all\"\n\n";

  std::cout << "; DKIM (RFC 6376): the public keys outgoing mail is signed with.\n";
  mailauth::KeyStore store(config.server.data_dir);
  auto keys = store.list(domain);
  if (!keys) fail(keys.error().message);
  if (keys->empty()) std::cout << "; none yet: create one with `postern dkim keygen " << domain << "`\n";
  for (const auto& k : *keys) {
    auto key = store.load(k.domain, k.selector);
    if (!key) fail(key.error().message);
    std::cout << "; selector " << k.selector << " (" << mailauth::key_type_name(k.type)
              << (k.active ? ", active" : ", inactive: publish before activating, keep a few days after rotating")
              << ")\n"
              << dkim_record_line(k, *key) << "\n";
  }
  std::cout << "\n";

  std::cout << "; DMARC (RFC 7489): receivers quarantine mail From: " << domain << " that passes\n"
            << "; neither aligned SPF nor DKIM, and send aggregate reports to postmaster@.\n"
            << "_dmarc." << apex << " IN TXT \"v=DMARC1; p=quarantine; rua=mailto:postmaster@" << domain << "\"\n\n";

  std::cout << "; Mail clients find the servers (RFC 6186); \"0 0 0 .\" says a service is not offered.\n";
  for (const auto& s : kClientServices) {
    const ListenerConfig* l = listener_for(config, s.protocol);
    std::cout << s.srv << "." << apex << " IN SRV ";
    if (l)
      std::cout << s.priority << " 1 " << l->port << " " << host << "\n";
    else
      std::cout << "0 0 0 .\n";
  }
  std::cout << "; Thunderbird-style autoconfiguration looks here (answered once Postern serves HTTPS).\n"
            << "autoconfig." << apex << " IN CNAME " << host << "\n";
}

}  // namespace

void register_domain_dns_command(CLI::App& domain, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto* dns = domain.add_subcommand("dns", "Print every DNS record DOMAIN needs (MX, SPF, DKIM, DMARC, SRV), zone-file syntax");
  dns->add_option("NAME", *name, "One of our domains")->required();
  dns->callback([&ctx, name] {
    auto canonical = parse_domain(*name, /*allow_utf8=*/false);
    if (!canonical) fail("invalid domain '" + *name + "': " + canonical.error().message);
    directory::Directory dir(ctx.db());
    if (!dir.is_local_domain(*canonical))
      fail("unknown domain '" + *canonical + "' (add it with: postern domain add " + *canonical + ")");
    print_records(ctx.config(), *canonical);
  });
}

}  // namespace postern::cli
