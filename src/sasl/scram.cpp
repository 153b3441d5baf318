// SCRAM-SHA-256 (see scram.hpp). HMAC/PBKDF2 from OpenSSL; proofs compared
// in constant time.
#include "sasl/scram.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>

#include "core/strings.hpp"
#include "sasl/base64.hpp"

namespace postern::sasl {

namespace {

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string random_bytes(size_t n) {
  std::string s(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n));
  return s;
}

// A per-process secret for decoy salts: stable within a run, so repeated
// attempts for the same unknown user see the same salt.
const std::string& decoy_secret() {
  static const std::string secret = random_bytes(32);
  return secret;
}

// RFC 5802 §5.1 saslname: "=2C" is ",", "=3D" is "="; other "=" are errors.
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',') return std::nullopt;
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    if (s.substr(i, 3) == "=2C") out += ',';
    else if (s.substr(i, 3) == "=3D") out += '=';
    else return std::nullopt;
    i += 2;
  }
  return out;
}

// "a=value" attribute at the front of `s`; advances past it and its comma.
std::optional<std::string_view> take_attribute(std::string_view& s, char name) {
  if (s.size() < 2 || s[0] != name || s[1] != '=') return std::nullopt;
  size_t comma = s.find(',');
  std::string_view v = s.substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  return v;
}

}  // namespace

std::string ScramCredentials::encode() const {
  return "SCRAM-SHA-256$" + std::to_string(iterations) + "$" + base64_encode(salt) + "$" + base64_encode(stored_key) +
         "$" + base64_encode(server_key);
}

std::optional<ScramCredentials> ScramCredentials::decode(std::string_view text) {
  auto parts = split(text, '$');
  if (parts.size() != 5 || parts[0] != "SCRAM-SHA-256") return std::nullopt;
  ScramCredentials c;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), c.iterations);
  if (ec != std::errc() || p != parts[1].data() + parts[1].size() || c.iterations == 0) return std::nullopt;
  auto salt = base64_decode(parts[2]);
  auto stored = base64_decode(parts[3]);
  auto server = base64_decode(parts[4]);
  if (!salt || !stored || !server || stored->size() != 32 || server->size() != 32) return std::nullopt;
  c.salt = std::move(*salt);
  c.stored_key = std::move(*stored);
  c.server_key = std::move(*server);
  return c;
}

ScramCredentials make_scram_credentials(std::string_view password, uint32_t iterations,
                                        std::optional<std::string> salt) {
  ScramCredentials c;
  c.iterations = iterations;
  c.salt = salt ? std::move(*salt) : random_bytes(16);
  unsigned char salted[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(c.salt.data()), static_cast<int>(c.salt.size()),
                    static_cast<int>(iterations), EVP_sha256(), sizeof salted, salted);
  std::string_view salted_password(reinterpret_cast<char*>(salted), sizeof salted);
  c.stored_key = sha256(hmac(salted_password, "Client Key"));
  c.server_key = hmac(salted_password, "Server Key");
  return c;
}

Result<std::string> ScramServer::client_first(std::string_view m) {
  // gs2-header: gs2-cbind-flag "," [authzid] ","
  if (m.starts_with("p=")) return Error{syntax_error("channel binding is not supported (use SCRAM-SHA-256)")};
  if (!m.starts_with("n,") && !m.starts_with("y,")) return Error{syntax_error("malformed SCRAM client-first message")};
  size_t second = m.find(',', 2);
  if (second == std::string_view::npos) return Error{syntax_error("malformed SCRAM client-first message")};
  std::string_view authzid = m.substr(2, second - 2);
  gs2_header_ = std::string(m.substr(0, second + 1));
  std::string_view bare = m.substr(second + 1);
  client_first_bare_ = std::string(bare);
  if (bare.starts_with("m=")) return Error{syntax_error("SCRAM extensions are not supported")};
  auto n = take_attribute(bare, 'n');
  auto r = take_attribute(bare, 'r');
  if (!n || !r || r->empty()) return Error{syntax_error("malformed SCRAM client-first message")};
  auto user = decode_saslname(*n);
  if (!user || user->empty()) return Error{syntax_error("malformed SCRAM user name")};
  if (!authzid.empty()) {
    auto az = decode_saslname(authzid.starts_with("a=") ? authzid.substr(2) : std::string_view("\x01"));
    if (!az || *az != *user) return Error{user_error("authorization identity not permitted")};
  }
  user_ = std::move(*user);
  nonce_ = std::string(*r) + (fixed_nonce_.empty() ? base64_encode(random_bytes(18)) : fixed_nonce_);
  return user_;
}

std::string ScramServer::server_first(const std::optional<ScramCredentials>& credentials) {
  if (credentials) {
    credentials_ = credentials;
  } else {
    // Decoy keys: a salt derived from the name, keys nobody can match.
    ScramCredentials decoy;
    decoy.iterations = kScramIterations;
    decoy.salt = hmac(decoy_secret(), user_).substr(0, 16);
    decoy.stored_key = random_bytes(32);
    decoy.server_key = random_bytes(32);
    credentials_ = std::move(decoy);
  }
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(credentials_->salt) + ",i=" +
                  std::to_string(credentials_->iterations);
  return server_first_;
}

Result<std::string> ScramServer::client_final(std::string_view m) {
  if (!credentials_) return Error{syntax_error("SCRAM exchange out of order")};
  std::string_view rest = m;
  auto c = take_attribute(rest, 'c');
  auto r = take_attribute(rest, 'r');
  if (!c || !r) return Error{syntax_error("malformed SCRAM client-final message")};
  // Extensions before the proof are skipped; the proof is last.
  size_t p_at = m.rfind(",p=");
  if (p_at == std::string_view::npos) return Error{syntax_error("malformed SCRAM client-final message: no proof")};
  std::string_view without_proof = m.substr(0, p_at);
  auto proof = base64_decode(m.substr(p_at + 3));
  if (!proof) return Error{syntax_error("malformed SCRAM proof")};
  auto binding = base64_decode(*c);
  if (!binding || *binding != gs2_header_) return Error{user_error("authentication failed")};
  if (*r != nonce_) return Error{user_error("authentication failed")};
  std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string client_signature = hmac(credentials_->stored_key, auth_message);
  if (proof->size() != client_signature.size()) return Error{user_error("authentication failed")};
  std::string client_key(proof->size(), '\0');
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] = static_cast<char>((*proof)[i] ^ client_signature[i]);
  if (!constant_time_equals(sha256(client_key), credentials_->stored_key))
    return Error{user_error("authentication failed")};
  return "v=" + base64_encode(hmac(credentials_->server_key, auth_message));
}

}  // namespace postern::sasl
