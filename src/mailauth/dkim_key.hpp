// DKIM keys: private keys for signing (generated or loaded from PEM) and
// public keys from DNS key records, with the two algorithms we implement:
// rsa-sha256 (RFC 6376 §3.3.1, keys >= 1024 bits per RFC 8301) and
// ed25519-sha256 (RFC 8463). Wraps OpenSSL 3 EVP; no other module touches
// DKIM key material. Objects are immutable once made and may be shared by
// threads (each operation uses its own EVP context).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace postern::mailauth {

enum class KeyType { rsa, ed25519 };

// "rsa" / "ed25519": the k= value of a key record (RFC 6376 §3.6.1, RFC 8463 §4.2).
std::string_view key_type_name(KeyType type);
// "rsa-sha256" / "ed25519-sha256": the a= value of a signature.
std::string_view algorithm_name(KeyType type);

constexpr unsigned kDefaultRsaBits = 2048;
constexpr unsigned kMinRsaBits = 1024;  // RFC 8301 §3.2: smaller keys MUST NOT be accepted
constexpr unsigned kMaxRsaBits = 8192;  // verification cost bound for keys from DNS

class PrivateKey {
 public:
  // A fresh key: RSA with `rsa_bits` (2048 unless told), or Ed25519.
  static Result<PrivateKey> generate(KeyType type, unsigned rsa_bits = kDefaultRsaBits);
  // PEM "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY" (PKCS#1); only RSA
  // (>= 1024 bits) and Ed25519 keys are accepted. Errors: user.
  static Result<PrivateKey> from_pem(std::string_view pem);
  // An Ed25519 key from its 32-byte seed (RFC 8032 §5.1.5), as RFC 8463's
  // example gives it.
  static Result<PrivateKey> from_ed25519_seed(std::string_view seed);

  KeyType type() const { return type_; }
  unsigned bits() const;  // RSA modulus size; 256 for Ed25519
  // Unencrypted PKCS#8 PEM, for the key file.
  std::string to_pem() const;
  // The p= data of the key record (decoded): SubjectPublicKeyInfo DER for
  // RSA (RFC 6376 §3.6.1), the raw 32-byte key for Ed25519 (RFC 8463 §4.2).
  std::string public_key_data() const;

  // Signs the header hash input (RFC 6376 §3.7) with this key's algorithm:
  // RSASSA-PKCS1-v1_5 over SHA-256 for RSA; for Ed25519, PureEdDSA over the
  // SHA-256 of the input (RFC 8463 §3). Errors: internal (OpenSSL failure).
  Result<std::string> sign(std::string_view data) const;

 private:
  PrivateKey(std::shared_ptr<evp_pkey_st> key, KeyType type) : key_(std::move(key)), type_(type) {}
  std::shared_ptr<evp_pkey_st> key_;
  KeyType type_;
};

class PublicKey {
 public:
  // From decoded p= data. RSA: SubjectPublicKeyInfo, or a bare PKCS#1
  // RSAPublicKey as some publishers use; 1024..8192 bits. Ed25519: exactly
  // 32 bytes. Errors: user (the message explains what is wrong).
  static Result<PublicKey> from_record_data(KeyType type, std::string_view data);

  KeyType type() const { return type_; }
  unsigned bits() const;
  // True when `signature` is this key's signature over `data` (see PrivateKey::sign).
  bool verify(std::string_view data, std::string_view signature) const;

 private:
  PublicKey(std::shared_ptr<evp_pkey_st> key, KeyType type) : key_(std::move(key)), type_(type) {}
  std::shared_ptr<evp_pkey_st> key_;
  KeyType type_;
};

// SHA-256 of `data` (32 bytes).
std::string sha256(std::string_view data);

}  // namespace postern::mailauth
