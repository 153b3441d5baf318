// RFC 6376 §3.7 hash computation.
#include "mailauth/dkim_hash.hpp"

#include <openssl/evp.h>

#include <memory>

#include "core/strings.hpp"

namespace postern::mailauth {

Result<std::string> body_hash(std::string_view body, Canon canon, std::optional<uint64_t> length) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return internal_error("SHA-256 unavailable");
  uint64_t total = 0;
  uint64_t remaining = length.value_or(UINT64_MAX);
  canonicalize_body(body, canon, [&](std::string_view piece) {
    total += piece.size();
    size_t n = static_cast<size_t>(std::min<uint64_t>(piece.size(), remaining));
    if (n == 0) return;
    EVP_DigestUpdate(ctx.get(), piece.data(), n);
    remaining -= n;
  });
  if (length && total < *length) return user_error("l= exceeds the body length");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::vector<const mime::HeaderField*> select_headers(const mime::HeaderSection& headers,
                                                     const std::vector<std::string>& names) {
  std::vector<const mime::HeaderField*> out;
  out.reserve(names.size());
  std::vector<bool> used(headers.fields.size(), false);
  for (const auto& name : names) {
    const mime::HeaderField* found = nullptr;
    for (size_t i = headers.fields.size(); i-- > 0;) {
      if (!used[i] && iequals(headers.fields[i].name, name)) {
        used[i] = true;
        found = &headers.fields[i];
        break;
      }
    }
    out.push_back(found);
  }
  return out;
}

std::string header_hash_input(const std::vector<const mime::HeaderField*>& fields, Canon canon,
                              std::string_view signature_name, std::string_view signature_value) {
  std::string out;
  for (const auto* f : fields)
    if (f) out += canonicalize_header(*f, canon);
  if (canon == Canon::relaxed) {
    out += relaxed_header(signature_name, signature_value);
  } else {
    // simple: the field as written, minus the b= value, without CRLF.
    out += signature_name;
    out += ':';
    out += signature_value;
  }
  return out;
}

std::string remove_b_value(std::string_view value) {
  // Find a tag named exactly "b" (not "bh"): at the start or after ';',
  // optional FWS, 'b', optional FWS, '='.
  auto is_fws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t i = pos;
    while (i < value.size() && is_fws(value[i])) ++i;
    if (i < value.size() && value[i] == 'b') {
      size_t j = i + 1;
      while (j < value.size() && is_fws(value[j])) ++j;
      if (j < value.size() && value[j] == '=') {
        size_t end = value.find(';', j);
        if (end == std::string_view::npos) end = value.size();
        return std::string(value.substr(0, j + 1)) + std::string(value.substr(end));
      }
    }
    size_t semi = value.find(';', pos);
    if (semi == std::string_view::npos) break;
    pos = semi + 1;
  }
  return std::string(value);
}

}  // namespace postern::mailauth
