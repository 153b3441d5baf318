// RFC 6376 §6 verifier: key record checks (§6.1.2), body and header hash
// comparison (§6.1.3), verdicts in RFC 8601 terms.
#include "mailauth/dkim_verify.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "mailauth/dkim_hash.hpp"
#include "mailauth/key_record.hpp"

namespace postern::mailauth {
namespace {

DkimResult verdict(DkimResult r, DkimStatus status, std::string reason) {
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string identity_domain(std::string_view identity) {
  size_t at = identity.rfind('@');
  return to_lower_ascii(at == std::string_view::npos ? identity : identity.substr(at + 1));
}

}  // namespace

std::string_view dkim_status_name(DkimStatus status) {
  switch (status) {
    case DkimStatus::pass: return "pass";
    case DkimStatus::fail: return "fail";
    case DkimStatus::neutral: return "neutral";
    case DkimStatus::temperror: return "temperror";
    case DkimStatus::permerror: return "permerror";
  }
  return "permerror";
}

std::vector<FoundSignature> find_signatures(std::string_view message) {
  std::vector<FoundSignature> out;
  auto headers = mime::parse_header_section(message);
  for (const auto& field : headers.fields) {
    if (!iequals(field.name, kDkimSignatureField)) continue;
    if (out.size() >= kMaxSignaturesVerified) break;
    auto parsed = parse_dkim_signature(field.value);
    std::string key_name = parsed ? key_record_name(parsed->selector, parsed->domain) : std::string();
    out.push_back(FoundSignature{field, std::move(parsed), std::move(key_name)});
  }
  return out;
}

DkimResult verify_signature(std::string_view message, const FoundSignature& found, const KeyLookup& key,
                            int64_t now) {
  DkimResult r;
  if (!found.parsed) return verdict(r, DkimStatus::permerror, found.parsed.error().message);
  const DkimSignature& sig = *found.parsed;
  r.domain = sig.domain;
  r.selector = sig.selector;
  r.identity = sig.identity;
  r.algorithm = sig.algorithm;
  if (!sig.key_type) return verdict(r, DkimStatus::neutral, "unsupported algorithm a=" + sig.algorithm);
  if (sig.expiration && static_cast<int64_t>(*sig.expiration) < now)
    return verdict(r, DkimStatus::fail, "signature expired");

  // §6.1.2: the key.
  if (key.status == KeyLookup::Status::temporary_failure)
    return verdict(r, DkimStatus::temperror, "key lookup for " + found.key_name + " failed temporarily");
  if (key.status == KeyLookup::Status::not_found || key.records.empty())
    return verdict(r, DkimStatus::permerror, "no key record at " + found.key_name);
  std::optional<KeyRecord> record;
  std::string record_error;
  for (const auto& txt : key.records) {
    auto parsed = parse_key_record(txt);
    if (parsed) {
      record = std::move(*parsed);
      break;
    }
    if (record_error.empty()) record_error = parsed.error().message;
  }
  if (!record) return verdict(r, DkimStatus::permerror, record_error);
  r.testing = record->testing;
  if (record->public_key.empty()) return verdict(r, DkimStatus::permerror, "key revoked (empty p=)");
  if (!record->type) return verdict(r, DkimStatus::permerror, "unknown key type k=" + record->key_type);
  if (*record->type != *sig.key_type)
    return verdict(r, DkimStatus::permerror,
                   "key type k=" + record->key_type + " does not match a=" + sig.algorithm);
  if (!record->hashes.empty() && !contains(record->hashes, "sha256"))
    return verdict(r, DkimStatus::permerror, "key record does not allow sha256 (h=)");
  if (!contains(record->services, "*") && !contains(record->services, "email"))
    return verdict(r, DkimStatus::permerror, "key record is not for email (s=)");
  if (record->strict && identity_domain(sig.identity) != sig.domain)
    return verdict(r, DkimStatus::permerror, "i= must be in d= exactly (key flag t=s)");
  auto public_key = PublicKey::from_record_data(*record->type, record->public_key);
  if (!public_key) return verdict(r, DkimStatus::permerror, "bad key record: " + public_key.error().message);

  // §6.1.3: body hash, then the signature over the header hash input.
  auto headers = mime::parse_header_section(message);
  auto bh = body_hash(message.substr(headers.body_offset), sig.body_canon, sig.body_length);
  if (!bh) return verdict(r, DkimStatus::permerror, bh.error().message);
  if (*bh != sig.body_hash) return verdict(r, DkimStatus::fail, "body hash did not verify");
  auto selected = select_headers(headers, sig.signed_headers);
  std::string input =
      header_hash_input(selected, sig.header_canon, found.field.name, remove_b_value(found.field.value));
  if (!public_key->verify(input, sig.signature)) return verdict(r, DkimStatus::fail, "signature did not verify");
  return verdict(r, DkimStatus::pass, "good signature");
}

std::vector<DkimResult> verify_message(std::string_view message, const KeyLookupFn& lookup, int64_t now) {
  std::vector<DkimResult> out;
  for (const auto& found : find_signatures(message)) {
    KeyLookup key;
    if (found.parsed && found.parsed->key_type) key = lookup(found.key_name);
    out.push_back(verify_signature(message, found, key, now));
  }
  return out;
}

}  // namespace postern::mailauth
