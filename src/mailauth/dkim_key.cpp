// DKIM key operations on OpenSSL 3 EVP. Every failure path clears OpenSSL's
// per-thread error queue, so a stale error can never be mistaken for a TLS
// error later on the same thread.
#include "mailauth/dkim_key.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace postern::mailauth {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, CtxFree>;

std::shared_ptr<evp_pkey_st> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

Error openssl_failure(const std::string& what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return internal_error(what + ": " + buf);
}

// Accepts RSA and Ed25519 keys only; sets `type`.
bool supported_type(EVP_PKEY* key, KeyType& type) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: type = KeyType::rsa; return true;
    case EVP_PKEY_ED25519: type = KeyType::ed25519; return true;
    default: return false;
  }
}

// RSA signs SHA-256(data) inside EVP; Ed25519 (RFC 8463 §3) signs the
// SHA-256 digest itself with PureEdDSA, so the digest is computed here.
const EVP_MD* digest_for(KeyType type) { return type == KeyType::rsa ? EVP_sha256() : nullptr; }

int no_password(char*, int, int, void*) { return 0; }

}  // namespace

std::string_view key_type_name(KeyType type) { return type == KeyType::rsa ? "rsa" : "ed25519"; }
std::string_view algorithm_name(KeyType type) { return type == KeyType::rsa ? "rsa-sha256" : "ed25519-sha256"; }

std::string sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

// --- PrivateKey ----------------------------------------------------------------

Result<PrivateKey> PrivateKey::generate(KeyType type, unsigned rsa_bits) {
  EVP_PKEY* key = nullptr;
  if (type == KeyType::rsa) {
    if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits)
      return user_error("RSA key size must be between " + std::to_string(kMinRsaBits) + " and " +
                        std::to_string(kMaxRsaBits) + " bits");
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  }
  if (!key) return openssl_failure("key generation failed");
  return PrivateKey(own(key), type);
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return openssl_failure("out of memory");
  // A callback that supplies no password: an encrypted key fails instead of
  // prompting on the terminal.
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr);
  if (!raw) {
    ERR_clear_error();
    return user_error("not a PEM private key (or an encrypted one, which is not supported)");
  }
  auto key = own(raw);
  KeyType type;
  if (!supported_type(raw, type)) return user_error("unsupported key type (DKIM keys are RSA or Ed25519)");
  if (type == KeyType::rsa && EVP_PKEY_get_bits(raw) < static_cast<int>(kMinRsaBits))
    return user_error("RSA key of " + std::to_string(EVP_PKEY_get_bits(raw)) + " bits is too short (RFC 8301: at least 1024)");
  return PrivateKey(std::move(key), type);
}

Result<PrivateKey> PrivateKey::from_ed25519_seed(std::string_view seed) {
  if (seed.size() != 32) return user_error("an Ed25519 seed is 32 bytes");
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (!key) return openssl_failure("cannot load Ed25519 seed");
  return PrivateKey(own(key), KeyType::ed25519);
}

unsigned PrivateKey::bits() const { return static_cast<unsigned>(EVP_PKEY_get_bits(key_.get())); }

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string PrivateKey::public_key_data() const {
  if (type_ == KeyType::ed25519) {
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &len) != 1) {
      ERR_clear_error();
      return {};
    }
    return std::string(reinterpret_cast<char*>(raw), len);
  }
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<std::string> PrivateKey::sign(std::string_view data) const {
  std::string digest;
  if (type_ == KeyType::ed25519) {
    digest = sha256(data);
    data = digest;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(type_), nullptr, key_.get()) != 1)
    return openssl_failure("signing setup failed");
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) return openssl_failure("signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()) != 1)
    return openssl_failure("signing failed");
  sig.resize(len);
  return sig;
}

// --- PublicKey -----------------------------------------------------------------

Result<PublicKey> PublicKey::from_record_data(KeyType type, std::string_view data) {
  if (data.empty()) return user_error("empty public key (revoked)");
  auto bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (type == KeyType::ed25519) {
    if (data.size() != 32) return user_error("Ed25519 public key must be 32 bytes, got " + std::to_string(data.size()));
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, data.size());
    if (!key) {
      ERR_clear_error();
      return user_error("invalid Ed25519 public key");
    }
    return PublicKey(own(key), type);
  }
  // SubjectPublicKeyInfo first; then a bare RSAPublicKey (PKCS#1). Either
  // must use every byte of the data.
  const unsigned char* p = bytes;
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size()));
  if (!key || p != bytes + data.size()) {
    EVP_PKEY_free(key);
    p = bytes;
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(data.size()));
    if (key && p != bytes + data.size()) {
      EVP_PKEY_free(key);
      key = nullptr;
    }
  }
  ERR_clear_error();
  if (!key) return user_error("public key data is not a DER RSA public key");
  auto owned = own(key);
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return user_error("public key is not an RSA key (k=rsa)");
  int bits = EVP_PKEY_get_bits(key);
  if (bits < static_cast<int>(kMinRsaBits))
    return user_error("RSA key of " + std::to_string(bits) + " bits is too short (RFC 8301: at least 1024)");
  if (bits > static_cast<int>(kMaxRsaBits))
    return user_error("RSA key of " + std::to_string(bits) + " bits is larger than we verify (" +
                      std::to_string(kMaxRsaBits) + ")");
  return PublicKey(std::move(owned), type);
}

unsigned PublicKey::bits() const { return static_cast<unsigned>(EVP_PKEY_get_bits(key_.get())); }

bool PublicKey::verify(std::string_view data, std::string_view signature) const {
  std::string digest;
  if (type_ == KeyType::ed25519) {
    digest = sha256(data);
    data = digest;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(type_), nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace postern::mailauth
