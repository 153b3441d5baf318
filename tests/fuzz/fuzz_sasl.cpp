// Fuzzes the SASL parsers shared by IMAP, SMTP and POP3: strict base64,
// PLAIN (RFC 4616) and a SCRAM-SHA-256 exchange (RFC 5802: client-first,
// then client-final on the second input line), against stored keys or the
// decoy used for unknown users (first octet), plus the stored SCRAM key
// format. Checks: no crash; accepted base64 re-encodes to the same length
// and decodes back (strict padding and alphabet; non-zero pad bits are
// tolerated, RFC 4648 §3.5 lets decoders choose); PLAIN's fields hold no
// NUL and the user name is not empty (the authzid policy is the callers');
// a SCRAM exchange succeeds only with the right proof (never for fuzzed
// bytes), and a failure is an error with a message; stored keys that decode re-encode to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sasl/base64.hpp"
#include "sasl/plain.hpp"
#include "sasl/scram.hpp"

using namespace postern::sasl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto raw = base64_decode(in)) {
    std::string again = base64_encode(*raw);
    if (again.size() != in.size() || base64_decode(again) != raw) std::abort();
  }
  if (auto p = parse_plain(in)) {
    for (const std::string* f : {&p->authzid, &p->authcid, &p->password})
      if (f->find('\0') != std::string::npos) std::abort();
    if (p->authcid.empty()) std::abort();
  }
  if (auto c = ScramCredentials::decode(in)) {
    auto again = ScramCredentials::decode(c->encode());
    if (!again || again->encode() != c->encode() || again->iterations != c->iterations) std::abort();
  }

  // One iteration: the exchange logic is what is fuzzed, not PBKDF2.
  static const ScramCredentials keys = make_scram_credentials("pencil", 1, std::string("fixedsalt"));
  size_t cut = in.find('\n');
  std::string_view first = in.substr(0, cut);
  std::string_view final = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  ScramServer server("fixednonce");
  if (server.client_first(first).ok()) {
    std::string sf = server.server_first(size > 0 && (data[0] & 1) ? std::optional(keys) : std::nullopt);
    if (!sf.starts_with("r=")) std::abort();
    auto r = server.client_final(final);
    if (r.ok()) std::abort();  // a fuzzer cannot produce a valid proof for a nonce it never saw
    if (r.error().message.empty()) std::abort();
  }
  return 0;
}
