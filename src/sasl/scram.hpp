// SCRAM-SHA-256 (RFC 5802, RFC 7677) for the server side: the stored keys
// made when a password is set (the password itself is never needed again),
// and the exchange: client-first -> server-first -> client-final ->
// server-final. Channel binding (-PLUS) is not offered: a client asking for
// it ("p=") is refused. Passwords are used as given (no SASLprep), which is
// exact for ASCII passwords and consistent with PLAIN for the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::sasl {

struct ScramCredentials {
  uint32_t iterations = 0;
  std::string salt;        // raw octets
  std::string stored_key;  // H(ClientKey), 32 octets
  std::string server_key;  // HMAC(SaltedPassword, "Server Key"), 32 octets
  // "SCRAM-SHA-256$<iterations>$<salt b64>$<stored b64>$<server b64>"
  std::string encode() const;
  static std::optional<ScramCredentials> decode(std::string_view text);
};

constexpr uint32_t kScramIterations = 8192;  // RFC 7677 §4: at least 4096

// Keys for `password` with a fresh random 16-octet salt (or `salt` when given,
// for tests).
ScramCredentials make_scram_credentials(std::string_view password, uint32_t iterations = kScramIterations,
                                        std::optional<std::string> salt = std::nullopt);

class ScramServer {
 public:
  // `server_nonce`: fixed nonce part for tests (RFC 7677's example); random by default.
  explicit ScramServer(std::string server_nonce = {}) : fixed_nonce_(std::move(server_nonce)) {}

  // The client's first message (base64-decoded). Returns the user name to
  // look up. Syntax errors for malformed messages and channel binding.
  Result<std::string> client_first(std::string_view message);
  // The server's first message for the user's keys; nullopt (no such user,
  // or no SCRAM keys stored) gets a decoy so the exchange fails only at the
  // proof and does not reveal which accounts exist.
  std::string server_first(const std::optional<ScramCredentials>& credentials);
  // The client's final message: the server-final message ("v=...") when the
  // proof is right; a user error ("authentication failed") otherwise.
  Result<std::string> client_final(std::string_view message);
  const std::string& user() const { return user_; }

 private:
  std::string gs2_header_, client_first_bare_, server_first_, nonce_, user_;
  std::optional<ScramCredentials> credentials_;
  std::string fixed_nonce_;
};

}  // namespace postern::sasl
