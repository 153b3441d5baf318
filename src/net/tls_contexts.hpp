// Server TLS contexts with hardened defaults (Mozilla "intermediate": TLS
// 1.2+, AEAD ECDHE suites, no renegotiation, no compression, small idle
// buffers). Reloadable: SIGHUP builds a new context from the files and swaps
// it in; sessions already running keep the one they started with.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"

namespace postern::net {

class TlsContexts {
 public:
  TlsContexts(std::string certificate_file, std::string key_file)
      : cert_(std::move(certificate_file)), key_(std::move(key_file)) {}

  // (Re)loads certificate and key; on error the previous context stays.
  Status load();
  bool configured() const { return !cert_.empty(); }
  std::shared_ptr<boost::asio::ssl::context> current() const;

 private:
  std::string cert_, key_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> ctx_;
};

}  // namespace postern::net
