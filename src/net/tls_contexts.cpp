// Hardened OpenSSL server context construction.
#include "net/tls_contexts.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace postern::net {
namespace {

// Mozilla intermediate configuration (v5.7) for TLS 1.2; TLS 1.3 suites are
// OpenSSL's defaults, which are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

}  // namespace

Status TlsContexts::load() {
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_options(raw, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION | SSL_OP_SINGLE_ECDH_USE);
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_dh_auto(raw, 1);
  if (SSL_CTX_set_cipher_list(raw, kTls12Ciphers) != 1) return internal_error("TLS ciphers: " + openssl_errors());
  if (SSL_CTX_use_certificate_chain_file(raw, cert_.c_str()) != 1)
    return user_error("TLS certificate " + cert_ + ": " + openssl_errors());
  if (SSL_CTX_use_PrivateKey_file(raw, key_.c_str(), SSL_FILETYPE_PEM) != 1)
    return user_error("TLS key " + key_ + ": " + openssl_errors());
  if (SSL_CTX_check_private_key(raw) != 1)
    return user_error("TLS key " + key_ + " does not match certificate " + cert_);
  std::lock_guard lock(mu_);
  ctx_ = std::move(ctx);
  return Ok{};
}

std::shared_ptr<boost::asio::ssl::context> TlsContexts::current() const {
  std::lock_guard lock(mu_);
  return ctx_;
}

}  // namespace postern::net
