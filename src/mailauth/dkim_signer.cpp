// The cached, thread-safe DKIM signer used by the outbound path.
#include "mailauth/dkim_signer.hpp"

#include <sys/stat.h>

#include "core/strings.hpp"
#include "mailauth/dkim_sign.hpp"
#include "mime/address_list.hpp"
#include "mime/header.hpp"

namespace postern::mailauth {
namespace {

std::string file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "absent";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

DkimSigner::DkimSigner(std::string data_dir) : store_(std::move(data_dir)) {}

Result<std::vector<ActiveKey>> DkimSigner::keys_for(const std::string& domain) {
  // The active file is replaced by rename on every change, so its inode
  // changes even when size and mtime would not.
  std::string stamp = file_stamp(store_.active_file(domain));
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(domain); it != cache_.end() && it->second.stamp == stamp) return it->second.keys;
  auto keys = store_.active_keys(domain);
  if (!keys) return keys.error();
  cache_[domain] = Cached{stamp, *keys};
  return keys;
}

Result<std::string> DkimSigner::sign(std::string_view message, std::string_view domain_in, int64_t now) {
  std::string domain = to_lower_ascii(domain_in);
  auto keys = keys_for(domain);
  if (!keys) return keys.error();
  std::string fields;
  for (const auto& k : *keys) {
    auto field = dkim_sign(message, k.key, SignOptions{domain, k.selector, now});
    if (!field) return field.error();
    fields += *field;
  }
  return fields;
}

std::optional<std::string> author_domain(std::string_view message) {
  auto headers = mime::parse_header_section(message);
  const auto* from = mime::find_field(headers, "From");
  if (!from) return std::nullopt;
  for (const auto& a : mime::parse_address_list(from->value)) {
    if (!a.host || *a.host == mime::kMissingDomain) continue;
    return to_lower_ascii(*a.host);
  }
  return std::nullopt;
}

}  // namespace postern::mailauth
