// DKIM key files under <data_dir>/dkim/ (see key_store.hpp for the layout).
#include "mailauth/key_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "core/email_address.hpp"
#include "core/strings.hpp"

namespace postern::mailauth {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kKeySuffix = ".key";
constexpr size_t kMaxKeyFileSize = 64 * 1024;

Error io_error(const std::string& what, const std::string& path, int err = errno) {
  return temporary_error(what + " " + path + ": " + std::strerror(err));
}

Result<std::string> canonical_domain(std::string_view domain) {
  // d= must be ASCII (A-labels), RFC 6376 §3.5.
  auto d = parse_domain(domain, /*allow_utf8=*/false);
  if (!d) return syntax_error("invalid domain '" + std::string(domain) + "': " + d.error().message);
  return *d;
}

// When root (the CLI run by an admin) writes into a data directory owned by
// the server's user, new files must belong to that user too, or the server
// could not read its keys after dropping privileges.
void give_to_owner(int fd, const std::string& data_dir) {
  if (::geteuid() != 0) return;
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || st.st_uid == 0) return;
  if (::fchown(fd, st.st_uid, st.st_gid) != 0) return;  // best effort; the server chowns at start too
}

Status ensure_dir(const std::string& path, const std::string& data_dir) {
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno != EEXIST) return io_error("cannot create directory", path);
    return Ok{};
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    give_to_owner(fd, data_dir);
    ::close(fd);
  }
  return Ok{};
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync", dir, err);
  return Ok{};
}

// Writes `content` to dir/name through a temporary file: fsynced, mode 0600,
// then renamed (or, with `exclusive`, linked so that an existing file is
// never replaced), and the directory fsynced.
Status write_file(const std::string& dir, const std::string& name, std::string_view content, bool exclusive,
                  const std::string& data_dir) {
  std::string tmp = dir + "/." + name + ".tmp." + std::to_string(::getpid());
  std::string final_path = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", tmp);
  ::fchmod(fd, 0600);  // whatever the umask
  give_to_owner(fd, data_dir);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("cannot fsync", tmp, err);
  }
  ::close(fd);
  if (exclusive) {
    int rc = ::link(tmp.c_str(), final_path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      if (err == EEXIST) return user_error(final_path + " already exists");
      return io_error("cannot create", final_path, err);
    }
  } else if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot rename to", final_path, err);
  }
  return fsync_dir(dir);
}

Result<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read", path);
  std::string data;
  data.resize(kMaxKeyFileSize + 1);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (data.size() > kMaxKeyFileSize) return user_error(path + " is larger than a key file can be");
  return data;
}

std::string date_stamp(int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

}  // namespace

Result<std::string> parse_selector(std::string_view text) {
  std::string s = to_lower_ascii(text);
  auto bad = [&](const std::string& why) {
    return syntax_error("invalid selector '" + std::string(text) + "': " + why);
  };
  if (s.empty()) return bad("empty");
  if (s.size() > 253) return bad("longer than 253 characters");
  for (auto label : split(s, '.')) {
    if (label.empty()) return bad("empty label");
    if (label.size() > 63) return bad("a label is longer than 63 characters");
    if (label.front() == '-' || label.back() == '-') return bad("a label starts or ends with '-'");
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return bad("only letters, digits, '-' and '.' are allowed");
  }
  return s;
}

KeyStore::KeyStore(std::string data_dir) : data_dir_(std::move(data_dir)), root_(data_dir_ + "/dkim") {}

std::string KeyStore::domain_dir(std::string_view domain) const { return root_ + "/" + std::string(domain); }
std::string KeyStore::active_file(std::string_view domain) const { return domain_dir(domain) + "/active"; }

Result<std::vector<std::string>> KeyStore::read_active(std::string_view domain) const {
  std::vector<std::string> out;
  std::string path = active_file(domain);
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;  // no file: nothing active
  std::ifstream in(path);
  if (!in) return io_error("cannot read", path);
  std::string line;
  while (std::getline(in, line)) {
    auto sel = trim(line);
    if (!sel.empty()) out.emplace_back(sel);
  }
  return out;
}

Status KeyStore::write_active(std::string_view domain, const std::vector<std::string>& selectors) const {
  std::string content;
  for (const auto& s : selectors) content += s + "\n";
  return write_file(domain_dir(domain), "active", content, false, data_dir_);
}

Result<StoredKey> KeyStore::generate(std::string_view domain_in, KeyType type,
                                     std::optional<std::string_view> selector_in, int64_t now, unsigned rsa_bits) {
  auto domain = canonical_domain(domain_in);
  if (!domain) return domain.error();
  std::string selector;
  if (selector_in) {
    auto s = parse_selector(*selector_in);
    if (!s) return s.error();
    selector = *s;
    if (fs::exists(domain_dir(*domain) + "/" + selector + std::string(kKeySuffix)))
      return user_error("a key with selector " + selector + " already exists for " + *domain);
  } else {
    std::string base = std::string(key_type_name(type)) + "-" + date_stamp(now);
    selector = base;
    for (int n = 2; fs::exists(domain_dir(*domain) + "/" + selector + std::string(kKeySuffix)); ++n)
      selector = base + "-" + std::to_string(n);
  }

  auto key = PrivateKey::generate(type, rsa_bits);
  if (!key) return key.error();
  std::string pem = key->to_pem();
  if (pem.empty()) return internal_error("cannot encode the new key as PEM");

  if (auto s = ensure_dir(data_dir_, data_dir_); !s) return s.error();
  if (auto s = ensure_dir(root_, data_dir_); !s) return s.error();
  if (auto s = ensure_dir(domain_dir(*domain), data_dir_); !s) return s.error();
  if (auto s = write_file(domain_dir(*domain), selector + std::string(kKeySuffix), pem, true, data_dir_); !s)
    return s.error();

  // First key of its type for the domain: active at once.
  auto active = read_active(*domain);
  if (!active) return active.error();
  bool has_active_of_type = false;
  for (const auto& sel : *active) {
    auto other = load(*domain, sel);
    if (other && other->type() == type) has_active_of_type = true;
  }
  if (!has_active_of_type) {
    active->push_back(selector);
    if (auto s = write_active(*domain, *active); !s) return s.error();
  }
  return find(*domain, selector);
}

Status KeyStore::activate(std::string_view domain_in, std::string_view selector_in) {
  auto domain = canonical_domain(domain_in);
  if (!domain) return domain.error();
  auto selector = parse_selector(selector_in);
  if (!selector) return selector.error();
  auto key = load(*domain, *selector);
  if (!key) return key.error();
  auto active = read_active(*domain);
  if (!active) return active.error();
  std::vector<std::string> next;
  for (const auto& sel : *active) {
    if (sel == *selector) continue;
    auto other = load(*domain, sel);
    if (other && other->type() == key->type()) continue;  // replaced
    next.push_back(sel);
  }
  next.push_back(*selector);
  return write_active(*domain, next);
}

Status KeyStore::remove(std::string_view domain_in, std::string_view selector_in) {
  auto domain = canonical_domain(domain_in);
  if (!domain) return domain.error();
  auto selector = parse_selector(selector_in);
  if (!selector) return selector.error();
  auto stored = find(*domain, *selector);
  if (!stored) return stored.error();
  if (stored->active)
    return user_error("key " + *selector + " is the active " + std::string(key_type_name(stored->type)) +
                      " key of " + *domain + "; activate another key first");
  if (::unlink(stored->path.c_str()) != 0) return io_error("cannot remove", stored->path);
  return fsync_dir(domain_dir(*domain));
}

Result<PrivateKey> KeyStore::load(std::string_view domain, std::string_view selector) const {
  std::string path = domain_dir(domain) + "/" + std::string(selector) + std::string(kKeySuffix);
  if (!fs::exists(path))
    return user_error("no DKIM key with selector " + std::string(selector) + " for " + std::string(domain));
  auto pem = read_small_file(path);
  if (!pem) return pem.error();
  auto key = PrivateKey::from_pem(*pem);
  if (!key) return user_error(path + ": " + key.error().message);
  return key;
}

Result<StoredKey> KeyStore::find(std::string_view domain_in, std::string_view selector_in) const {
  auto domain = canonical_domain(domain_in);
  if (!domain) return domain.error();
  auto selector = parse_selector(selector_in);
  if (!selector) return selector.error();
  auto key = load(*domain, *selector);
  if (!key) return key.error();
  auto active = read_active(*domain);
  if (!active) return active.error();
  StoredKey out;
  out.domain = *domain;
  out.selector = *selector;
  out.type = key->type();
  out.bits = key->bits();
  out.active = std::find(active->begin(), active->end(), *selector) != active->end();
  out.path = domain_dir(*domain) + "/" + *selector + std::string(kKeySuffix);
  struct stat st {};
  if (::stat(out.path.c_str(), &st) == 0) out.created = st.st_mtime;
  return out;
}

Result<std::vector<StoredKey>> KeyStore::list(std::optional<std::string_view> domain) const {
  std::vector<StoredKey> out;
  std::vector<std::string> domains;
  if (domain) {
    auto d = canonical_domain(*domain);
    if (!d) return d.error();
    domains.push_back(*d);
  } else {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec))
      if (entry.is_directory()) domains.push_back(entry.path().filename().string());
  }
  for (const auto& d : domains) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(domain_dir(d), ec)) {
      std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || name.starts_with(".") || !name.ends_with(kKeySuffix)) continue;
      auto stored = find(d, name.substr(0, name.size() - kKeySuffix.size()));
      if (!stored) return stored.error();
      out.push_back(std::move(*stored));
    }
  }
  std::sort(out.begin(), out.end(), [](const StoredKey& a, const StoredKey& b) {
    return std::tie(a.domain, a.selector) < std::tie(b.domain, b.selector);
  });
  return out;
}

Result<std::vector<ActiveKey>> KeyStore::active_keys(std::string_view domain_in) const {
  auto domain = canonical_domain(domain_in);
  if (!domain) return domain.error();
  auto active = read_active(*domain);
  if (!active) return active.error();
  std::vector<ActiveKey> out;
  for (const auto& sel : *active) {
    auto key = load(*domain, sel);
    if (!key) return key.error();
    out.push_back(ActiveKey{sel, std::move(*key)});
  }
  return out;
}

}  // namespace postern::mailauth
