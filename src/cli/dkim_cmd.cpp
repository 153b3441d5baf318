// `postern dkim keygen|list|activate|remove|sign`: the DKIM keys our
// domains sign outgoing mail with (files under <data_dir>/dkim, see
// mailauth/key_store.hpp), and the DNS records that publish them.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <ctime>
#include <iostream>
#include <iterator>

#include "cli/context.hpp"
#include "core/email_address.hpp"
#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "mailauth/dkim_signer.hpp"
#include "mailauth/key_record.hpp"
#include "mailauth/key_store.hpp"

namespace postern::cli {
namespace {

struct DkimArgs {
  std::string domain;
  std::string selector;
  std::string algorithm = "rsa";
  unsigned bits = mailauth::kDefaultRsaBits;
};

// The domain as stored, refusing domains we do not serve: we only ever sign
// mail of our own domains.
std::string local_domain(Context& ctx, const std::string& name) {
  auto canonical = parse_domain(name, /*allow_utf8=*/false);
  if (!canonical) fail("invalid domain '" + name + "': " + canonical.error().message);
  directory::Directory dir(ctx.db());
  if (!dir.is_local_domain(*canonical))
    fail("unknown domain '" + *canonical + "' (add it with: postern domain add " + *canonical + ")");
  return *canonical;
}

std::string date_of(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

std::string dkim_record_line(const mailauth::StoredKey& key, const mailauth::PrivateKey& private_key) {
  return mailauth::zone_txt_line(mailauth::key_record_name(key.selector, key.domain),
                                 mailauth::format_key_record(private_key));
}

void register_dkim_commands(CLI::App& app, Context& ctx) {
  auto* dkim = app.add_subcommand("dkim", "Manage the DKIM keys outgoing mail is signed with");
  dkim->require_subcommand(1);
  auto args = std::make_shared<DkimArgs>();

  auto* keygen = dkim->add_subcommand(
      "keygen", "Create a signing key for DOMAIN and print the DNS record to publish (the domain's first key of "
                "each algorithm is active at once; later ones wait for `dkim activate`)");
  keygen->add_option("DOMAIN", args->domain, "One of our domains")->required();
  keygen->add_option("--algorithm", args->algorithm, "rsa (default, 2048 bits) or ed25519 (RFC 8463)")
      ->check(CLI::IsMember({"rsa", "ed25519"}));
  keygen->add_option("--selector", args->selector, "Selector (default <algorithm>-YYYYMMDD)");
  keygen->add_option("--bits", args->bits, "RSA key size (default 2048)")->check(CLI::Range(1024u, 4096u));
  keygen->callback([&ctx, args] {
    std::string domain = local_domain(ctx, args->domain);
    mailauth::KeyStore store(ctx.config().server.data_dir);
    auto type = args->algorithm == "ed25519" ? mailauth::KeyType::ed25519 : mailauth::KeyType::rsa;
    std::optional<std::string_view> selector;
    if (!args->selector.empty()) selector = args->selector;
    auto key = store.generate(domain, type, selector, std::time(nullptr), args->bits);
    if (!key) fail(key.error().message);
    auto private_key = store.load(key->domain, key->selector);
    if (!private_key) fail(private_key.error().message);
    std::cout << "created " << mailauth::key_type_name(key->type) << " key " << key->selector << " for " << domain
              << " (" << key->bits << " bits) in " << key->path << "\n";
    if (key->active)
      std::cout << "active: mail from " << domain << " is signed with it from now on\n";
    else
      std::cout << "not active yet: publish the record below, wait until it resolves, then run\n"
                << "  postern dkim activate " << domain << " " << key->selector << "\n";
    std::cout << "publish this DNS record:\n";
    std::cout << dkim_record_line(*key, *private_key) << "\n";
  });

  auto* list = dkim->add_subcommand("list", "List keys: domain, selector, algorithm, bits, state, creation date");
  list->add_option("DOMAIN", args->domain, "Only this domain");
  list->callback([&ctx, args] {
    mailauth::KeyStore store(ctx.config().server.data_dir);
    std::optional<std::string_view> domain;
    if (!args->domain.empty()) domain = args->domain;
    auto keys = store.list(domain);
    if (!keys) fail(keys.error().message);
    for (const auto& k : *keys)
      std::cout << k.domain << "  " << k.selector << "  " << mailauth::key_type_name(k.type) << "  " << k.bits
                << "  " << (k.active ? "active" : "inactive") << "  " << date_of(k.created) << "\n";
  });

  auto* activate = dkim->add_subcommand(
      "activate", "Sign with SELECTOR's key from now on (replaces the active key of the same algorithm)");
  activate->add_option("DOMAIN", args->domain, "The domain")->required();
  activate->add_option("SELECTOR", args->selector, "The key's selector")->required();
  activate->callback([&ctx, args] {
    std::string domain = local_domain(ctx, args->domain);
    mailauth::KeyStore store(ctx.config().server.data_dir);
    if (auto s = store.activate(domain, args->selector); !s) fail(s.error().message);
    std::cout << "activated " << args->selector << " for " << domain << "\n";
  });

  auto* remove = dkim->add_subcommand("remove", "Delete an inactive key (keep its DNS record a few days longer)");
  remove->add_option("DOMAIN", args->domain, "The domain")->required();
  remove->add_option("SELECTOR", args->selector, "The key's selector")->required();
  remove->callback([&ctx, args] {
    mailauth::KeyStore store(ctx.config().server.data_dir);
    if (auto s = store.remove(args->domain, args->selector); !s) fail(s.error().message);
    std::cout << "removed " << args->selector << " for " << to_lower_ascii(args->domain) << "\n";
  });

  // An admin tool: sign a message the way the server will (to check the key
  // and DNS record with an outside verifier before relying on them, or to
  // sign mail that leaves by another route).
  auto* sign = dkim->add_subcommand(
      "sign", "Read a message on standard input and print it with DKIM-Signature fields added (active keys)");
  sign->add_option("--domain", args->domain, "Signing domain (default: the domain of the From address)");
  sign->callback([&ctx, args] {
    std::string message(std::istreambuf_iterator<char>(std::cin), {});
    if (message.empty()) fail("no message on standard input");
    std::string domain;
    if (!args->domain.empty()) {
      domain = local_domain(ctx, args->domain);
    } else {
      auto author = mailauth::author_domain(message);
      if (!author) fail("the message has no From address; give --domain");
      domain = local_domain(ctx, *author);
    }
    mailauth::DkimSigner signer(ctx.config().server.data_dir);
    auto fields = signer.sign(message, domain, std::time(nullptr));
    if (!fields) fail(fields.error().message);
    if (fields->empty()) fail(domain + " has no active DKIM key (create one with: postern dkim keygen " + domain + ")");
    // Keep the input's line ending style: a message with bare LF gets the
    // new fields with bare LF too (the signature covers the CRLF form).
    size_t nl = message.find('\n');
    if (nl != std::string::npos && (nl == 0 || message[nl - 1] != '\r')) {
      std::string lf;
      for (char c : *fields)
        if (c != '\r') lf += c;
      *fields = lf;
    }
    std::cout << *fields << message;
    std::cout.flush();
  });
}

}  // namespace postern::cli
