// Verification of imported password hashes (see legacy_password.hpp).
#include "directory/legacy_password.hpp"

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <optional>

#include "core/strings.hpp"
#include "sasl/base64.hpp"

namespace postern::directory {
namespace {

// What one verification may cost (a real login, or an attacker's guess):
// ~10x our own Argon2id hash at most, with a few password threads.
constexpr uint64_t kMaxShaCryptRounds = 1'000'000;   // default 5,000; passlib's 656,000
constexpr uint64_t kMaxBcryptCost = 15;              // 2^15 rounds; usual 10-12
constexpr uint64_t kMaxMemoryBytes = 256ull << 20;   // Argon2 m, yescrypt N*r
constexpr uint64_t kMaxArgon2Passes = 10;
constexpr uint64_t kMaxArgon2Lanes = 16;

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

// The "$name$" field after `prefix` up to the next '$'.
std::string_view field_after(std::string_view hash, std::string_view prefix) {
  std::string_view rest = hash.substr(prefix.size());
  return rest.substr(0, rest.find('$'));
}

// A decimal field; nullopt when it is not one or beyond `limit`'s digits.
std::optional<uint64_t> decimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// crypt(3)'s base-64 alphabet: yescrypt encodes its parameters in it.
int itoa64_index(char c) {
  constexpr std::string_view kAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  auto i = kAlphabet.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

Status too_costly(std::string_view what, std::string_view limit) {
  return syntax_error(std::string(what) + " is beyond what a login may cost here (" + std::string(limit) +
                      "); rehash it with a lower cost before importing");
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

Status check_hash_cost(std::string_view hash) {
  if (hash.starts_with("$5$") || hash.starts_with("$6$")) {
    std::string_view f = field_after(hash, hash.substr(0, 3));
    if (!f.starts_with("rounds=")) return Ok{};  // the default, 5,000
    auto rounds = decimal(f.substr(7));
    if (!rounds) return syntax_error("SHA-crypt hash with a malformed rounds= field");
    if (*rounds > kMaxShaCryptRounds) return too_costly("SHA-crypt rounds=" + std::to_string(*rounds), "at most 1,000,000");
    return Ok{};
  }
  if (hash.starts_with("$2")) {  // $2a$ $2b$ $2y$ NN$
    auto cost = hash.size() > 4 ? decimal(field_after(hash, hash.substr(0, 4))) : std::nullopt;
    if (!cost) return syntax_error("bcrypt hash without a two-digit cost");
    if (*cost > kMaxBcryptCost) return too_costly("bcrypt cost " + std::to_string(*cost), "at most 15");
    return Ok{};
  }
  if (hash.starts_with("$y$") || hash.starts_with("$gy$")) {
    // "$y$jNr$": flags 'j', then N and r one character each for every cost
    // crypt_gensalt makes; memory = 128 * r * N bytes.
    std::string_view f = field_after(hash, hash.starts_with("$y$") ? "$y$" : "$gy$");
    if (f.size() != 3 || f[0] != 'j' || itoa64_index(f[1]) < 0 || itoa64_index(f[2]) < 0)
      return too_costly("yescrypt parameters \"" + std::string(f) + "\"", "the forms crypt_gensalt makes, up to 256 MiB");
    uint64_t n_log2 = static_cast<uint64_t>(itoa64_index(f[1])) + 1, r = static_cast<uint64_t>(itoa64_index(f[2])) + 1;
    if (n_log2 > 30 || 128 * r * (uint64_t{1} << n_log2) > kMaxMemoryBytes)
      return too_costly("yescrypt memory 2^" + std::to_string(n_log2) + " x " + std::to_string(r) + " x 128 bytes",
                        "at most 256 MiB");
    return Ok{};
  }
  if (hash.starts_with("$argon2")) {
    // PHC: $argon2id$v=19$m=65536,t=3,p=1$salt$hash (v= may be absent)
    size_t at = hash.find("$m=");
    if (at == std::string_view::npos) return syntax_error("Argon2 hash without m=,t=,p= parameters");
    std::string_view params = field_after(hash.substr(at), "$");
    uint64_t m = 0, t = 0, p = 0;
    while (!params.empty()) {
      std::string_view kv = params.substr(0, params.find(','));
      params.remove_prefix(std::min(params.size(), kv.size() + 1));
      auto v = kv.size() > 2 ? decimal(kv.substr(2)) : std::nullopt;
      if (!v || kv[1] != '=') return syntax_error("Argon2 hash with a malformed parameter \"" + std::string(kv) + "\"");
      if (kv[0] == 'm') m = *v;
      else if (kv[0] == 't') t = *v;
      else if (kv[0] == 'p') p = *v;
      else return syntax_error("Argon2 hash with an unknown parameter \"" + std::string(kv) + "\"");
    }
    if (m * 1024 > kMaxMemoryBytes) return too_costly("Argon2 m=" + std::to_string(m) + " KiB", "at most 262144 (256 MiB)");
    if (t > kMaxArgon2Passes) return too_costly("Argon2 t=" + std::to_string(t), "at most 10 passes");
    if (p > kMaxArgon2Lanes) return too_costly("Argon2 p=" + std::to_string(p), "at most 16 lanes");
    return Ok{};
  }
  if (hash.starts_with("$1$") || (!hash.empty() && hash[0] != '$')) return Ok{};  // MD5-crypt, DES: fixed cost
  return syntax_error("crypt(3) scheme \"" + std::string(hash.substr(0, hash.find('$', 1) + 1)) +
                      "\" is not accepted (supported: $1$ $5$ $6$ $2a$/$2b$/$2y$ $y$ $gy$ $argon2i$ $argon2id$, DES)");
}

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
  if (name != "SSHA512" && name != "SSHA256") {
    if (auto cost = check_hash_cost(rest); !cost) return cost.error();
  }
  if (name == "ARGON2ID") return std::string(rest);  // our own form
  return "{" + name + "}" + std::string(rest);
}

bool verify_legacy_password(std::string_view password, std::string_view stored) {
  std::string_view scheme, rest;
  if (!split_scheme(stored, scheme, rest) || rest.empty()) return false;
  // Checked at import too; again here for hashes stored before that check,
  // so that one account's hash can never tie up the password threads.
  if (scheme != "SSHA512" && scheme != "SSHA256" && !check_hash_cost(rest)) return false;
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
