// Verification of imported password hashes (see legacy_password.hpp).
#include "directory/legacy_password.hpp"

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

#include "core/strings.hpp"
#include "sasl/base64.hpp"

namespace postern::directory {
namespace {

struct Scheme {
  std::string_view name;
  std::string_view prefix;  // what the hash after "{NAME}" must start with ("" = anything)
};
constexpr std::array<Scheme, 10> kSchemes{{
    {"SHA512-CRYPT", "$6$"}, {"SHA256-CRYPT", "$5$"}, {"MD5-CRYPT", "$1$"},
    {"BLF-CRYPT", "$2"},     {"CRYPT", ""},           {"SSHA512", ""},
    {"SSHA256", ""},         {"ARGON2ID", "$argon2id$"}, {"ARGON2I", "$argon2i$"},
    {"ARGON2", "$argon2"},
}};

const Scheme* find_scheme(std::string_view name) {
  for (const auto& s : kSchemes)
    if (iequals(s.name, name)) return &s;
  return nullptr;
}

// The scheme a bare crypt(3) string belongs to.
std::string_view scheme_of_bare(std::string_view hash) {
  if (hash.starts_with("$6$")) return "SHA512-CRYPT";
  if (hash.starts_with("$5$")) return "SHA256-CRYPT";
  if (hash.starts_with("$1$")) return "MD5-CRYPT";
  if (hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$")) return "BLF-CRYPT";
  if (hash.starts_with("$argon2id$")) return "ARGON2ID";
  if (hash.starts_with("$argon2i$")) return "ARGON2I";
  return {};
}

bool crypt_matches(std::string_view password, std::string_view setting) {
  // crypt_data is ~32 KB: on the heap, not on a worker's stack.
  auto data = std::make_unique<crypt_data>();
  std::string pw(password), s(setting);
  if (pw.find('\0') != std::string::npos) return false;
  const char* out = crypt_r(pw.c_str(), s.c_str(), data.get());
  // libxcrypt returns a string starting with '*' on failure (never a match).
  if (!out || out[0] == '*') return false;
  std::string_view result(out);
  return result.size() == setting.size() && CRYPTO_memcmp(result.data(), setting.data(), setting.size()) == 0;
}

bool salted_sha_matches(std::string_view password, std::string_view encoded, const EVP_MD* md) {
  auto raw = sasl::base64_decode(encoded);
  const size_t digest_len = static_cast<size_t>(EVP_MD_get_size(md));
  if (!raw || raw->size() <= digest_len) return false;
  std::string_view digest = std::string_view(*raw).substr(0, digest_len);
  std::string_view salt = std::string_view(*raw).substr(digest_len);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), password.data(), password.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), salt.data(), salt.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out, &out_len) != 1)
    return false;
  return out_len == digest_len && CRYPTO_memcmp(out, digest.data(), digest_len) == 0;
}

// Splits "{SCHEME}rest"; false when there are no braces.
bool split_scheme(std::string_view stored, std::string_view& scheme, std::string_view& rest) {
  if (stored.empty() || stored.front() != '{') return false;
  size_t close = stored.find('}');
  if (close == std::string_view::npos) return false;
  scheme = stored.substr(1, close - 1);
  rest = stored.substr(close + 1);
  return true;
}

}  // namespace

Result<std::string> normalize_imported_hash(std::string_view hash) {
  hash = trim(hash);
  std::string_view scheme, rest;
  if (!split_scheme(hash, scheme, rest)) {
    std::string_view bare = scheme_of_bare(hash);
    if (bare.empty())
      return syntax_error("password hash without a {SCHEME} prefix and not a recognised crypt(3) string");
    scheme = bare;
    rest = hash;
  }
  const Scheme* s = find_scheme(scheme);
  if (!s)
    return syntax_error("unsupported password scheme {" + std::string(scheme) +
                        "} (supported: SHA512-CRYPT, SHA256-CRYPT, MD5-CRYPT, BLF-CRYPT, CRYPT, SSHA512, SSHA256, "
                        "ARGON2ID, ARGON2I)");
  if (rest.empty()) return syntax_error("empty {" + std::string(s->name) + "} hash");
  if (!rest.starts_with(s->prefix))
    return syntax_error("{" + std::string(s->name) + "} hash must start with " + std::string(s->prefix));
  std::string name(s->name);
  if (name == "ARGON2") name = rest.starts_with("$argon2id$") ? "ARGON2ID" : "ARGON2I";
  if (name == "SSHA512" || name == "SSHA256") {
    auto raw = sasl::base64_decode(rest);
    const size_t digest = name == "SSHA512" ? 64 : 32;
    if (!raw || raw->size() <= digest)
      return syntax_error("{" + name + "} hash must be base64 of a " + std::to_string(digest) + "-byte digest and a salt");
  }
  if (name == "ARGON2ID") return std::string(rest);  // our own form
  return "{" + name + "}" + std::string(rest);
}

bool verify_legacy_password(std::string_view password, std::string_view stored) {
  std::string_view scheme, rest;
  if (!split_scheme(stored, scheme, rest) || rest.empty()) return false;
  if (scheme == "SSHA512") return salted_sha_matches(password, rest, EVP_sha512());
  if (scheme == "SSHA256") return salted_sha_matches(password, rest, EVP_sha256());
  if (scheme == "ARGON2I" || scheme == "ARGON2ID") {
    std::string terminated(rest);
    auto type = scheme == "ARGON2I" ? Argon2_i : Argon2_id;
    return argon2_verify(terminated.c_str(), password.data(), password.size(), type) == ARGON2_OK;
  }
  if (scheme == "SHA512-CRYPT" || scheme == "SHA256-CRYPT" || scheme == "MD5-CRYPT" || scheme == "BLF-CRYPT" ||
      scheme == "CRYPT")
    return crypt_matches(password, rest);
  return false;
}

std::string stored_hash_scheme(std::string_view stored) {
  if (stored.starts_with("$argon2id$")) return "ARGON2ID";
  std::string_view scheme, rest;
  if (split_scheme(stored, scheme, rest)) return std::string(scheme);
  return {};
}

}  // namespace postern::directory
