// Password hashing (Argon2id, RFC 9106) and the constant-time login check.
//
// Cost: t=3 passes over m=64 MiB with p=1 lane, the OWASP / Dovecot-style
// setting; one verification takes roughly 100-200 ms of one core, which is
// what makes offline guessing expensive. Tests must not pay that for every
// user they create, so the cost can be lowered to the library minimum:
//   - set_password_cost_for_tests(true) from unit tests, or
//   - the environment variable POSTERN_ARGON2_TEST_COST=1 (integration tests
//     that drive the real binary). Never set it in production: hashes made
//     while it is set stay cheap to crack. Verification always uses the
//     parameters stored in the hash, so existing hashes keep working either way.
#include <argon2.h>
#include <openssl/rand.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "directory/directory.hpp"
#include "directory/internal.hpp"
#include "directory/legacy_password.hpp"

namespace postern::directory {
namespace {

struct Argon2Cost {
  uint32_t t;
  uint32_t m_kib;
  uint32_t p;
};
constexpr Argon2Cost kProductionCost{3, 65536, 1};
constexpr Argon2Cost kTestCost{1, 8, 1};  // library minimums: 8 KiB per lane
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::atomic<bool> g_test_cost_forced{false};

bool cheap_cost() {
  if (g_test_cost_forced.load()) return true;
  const char* env = std::getenv("POSTERN_ARGON2_TEST_COST");
  return env && std::string_view(env) == "1";
}

}  // namespace

void set_password_cost_for_tests(bool cheap) { g_test_cost_forced.store(cheap); }

Result<std::string> hash_password(std::string_view password) {
  const Argon2Cost cost = cheap_cost() ? kTestCost : kProductionCost;
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return internal_error("RAND_bytes failed: no randomness for the salt");
  std::string encoded(argon2_encodedlen(cost.t, cost.m_kib, cost.p, kSaltBytes, kHashBytes, Argon2_id), '\0');
  int rc = argon2id_hash_encoded(cost.t, cost.m_kib, cost.p, password.data(), password.size(), salt, sizeof salt,
                                 kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    // ARGON2_MEMORY_ALLOCATION_ERROR is the one an operator can fix.
    auto kind = rc == ARGON2_MEMORY_ALLOCATION_ERROR ? ErrorKind::temporary : ErrorKind::internal;
    return Error{kind, std::string("password hashing failed: ") + argon2_error_message(rc)};
  }
  encoded.resize(encoded.find('\0'));  // argon2_encodedlen counts the terminator
  return encoded;
}

bool verify_password(std::string_view password, std::string_view encoded) {
  // Imported hashes carry their "{SCHEME}" (legacy_password.hpp); anything
  // else that is not our Argon2id (empty, corrupted) never matches rather
  // than being guessed at.
  if (!encoded.empty() && encoded.front() == '{') return verify_legacy_password(password, encoded);
  if (encoded.substr(0, 10) != "$argon2id$") return false;
  if (!check_hash_cost(encoded)) return false;  // an imported one beyond the limits
  std::string terminated(encoded);  // libargon2 wants a C string
  return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

namespace detail {

// A hash of a random password with the current cost, so that a login for a
// user who does not exist costs as much as one for a user who does
// (otherwise the response time would tell an attacker which names exist).
std::string dummy_password_hash() {
  static std::mutex mutex;
  static std::string hash;
  static bool made_cheap = false;
  std::lock_guard lock(mutex);
  if (hash.empty() || made_cheap != cheap_cost()) {
    made_cheap = cheap_cost();
    unsigned char random[16];
    RAND_bytes(random, sizeof random);
    auto h = hash_password(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
    // Should hashing fail, an unverifiable string still makes verification
    // return false; it is merely faster, which leaks no more than the failure.
    hash = h ? *h : std::string("$argon2id$invalid");
  }
  return hash;
}

}  // namespace detail
}  // namespace postern::directory
