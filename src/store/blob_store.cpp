// Blob files on disk with the write-tmp/fsync/rename/fsync-dir sequence that
// the durability contract requires.
#include "store/blob_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/strings.hpp"

namespace postern::store {
namespace {

std::atomic<uint64_t> g_tmp_counter{0};

Error io_error(const std::string& what, const std::string& path, int err) {
  return temporary_error(what + " " + path + ": " + std::strerror(err));
}

bool is_hex_hash(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync", path, err);
  return Ok{};
}

}  // namespace

std::string BlobStore::hash_of(std::string_view content) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(content.data(), content.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, len);
}

std::string BlobStore::path_of(std::string_view hash) const {
  return root_ + "/blobs/" + std::string(hash.substr(0, 2)) + "/" + std::string(hash);
}

Status BlobStore::ensure_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0750) == 0) {
    // A new directory entry must itself be durable before blobs rely on it.
    auto parent = std::filesystem::path(dir).parent_path().string();
    return fsync_path(parent, O_RDONLY | O_DIRECTORY);
  }
  if (errno == EEXIST) return Ok{};
  return io_error("mkdir", dir, errno);
}

Status BlobStore::open() {
  for (const auto& d : {root_, root_ + "/blobs", root_ + "/tmp"})
    if (auto s = ensure_dir(d); !s) return s;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_ + "/tmp", ec))
    std::filesystem::remove(entry.path(), ec);
  return Ok{};
}

bool BlobStore::exists(std::string_view hash) const {
  struct stat st;
  return ::stat(path_of(hash).c_str(), &st) == 0;
}

Result<std::string> BlobStore::write(std::string_view content) {
  std::string hash = hash_of(content);
  std::string final_path = path_of(hash);
  if (exists(hash)) return hash;
  std::string dir = root_ + "/blobs/" + hash.substr(0, 2);
  if (auto s = ensure_dir(dir); !s) return s.error();

  std::string tmp = root_ + "/tmp/" + hash.substr(0, 16) + "." + std::to_string(::getpid()) + "." +
                    std::to_string(g_tmp_counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return io_error("create", tmp, errno);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("write", tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("fdatasync", tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("rename", final_path, err);
  }
  if (auto s = fsync_path(dir, O_RDONLY | O_DIRECTORY); !s) return s.error();
  return hash;
}

Result<std::string> BlobStore::read(std::string_view hash, uint64_t max_bytes) const {
  if (!is_hex_hash(hash)) return internal_error("invalid blob hash");
  std::string path = path_of(hash);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return io_error("stat", path, err);
  }
  std::string out;
  auto size = static_cast<uint64_t>(st.st_size);
  out.resize(static_cast<size_t>(max_bytes > 0 && max_bytes < size ? max_bytes : size));
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::read(fd, out.data() + off, out.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      return io_error("read", path, err);
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Result<std::string> BlobStore::read_range(std::string_view hash, uint64_t offset, uint64_t max_bytes) const {
  if (!is_hex_hash(hash)) return internal_error("invalid blob hash");
  std::string path = path_of(hash);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  std::string out(static_cast<size_t>(max_bytes), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("read", path, err);
    }
    if (n == 0) break;  // end of the blob
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Status BlobStore::remove(std::string_view hash) {
  if (!is_hex_hash(hash)) return internal_error("invalid blob hash");
  std::string path = path_of(hash);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("unlink", path, errno);
  return Ok{};
}

Status BlobStore::for_each(const std::function<void(const std::string&)>& visit) const {
  std::error_code ec;
  for (const auto& sub : std::filesystem::directory_iterator(root_ + "/blobs", ec)) {
    if (!sub.is_directory()) continue;
    for (const auto& f : std::filesystem::directory_iterator(sub.path(), ec)) {
      auto name = f.path().filename().string();
      if (is_hex_hash(name)) visit(name);
    }
  }
  if (ec) return temporary_error("listing blobs: " + ec.message());
  return Ok{};
}

}  // namespace postern::store
