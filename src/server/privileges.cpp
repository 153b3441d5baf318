// drop_privileges: the classic order (groups, gid, uid) and a check that
// root cannot be regained.
#include "server/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/log.hpp"

namespace postern::server {

Status drop_privileges(const std::string& user, const std::string& data_dir) {
  if (::geteuid() != 0) return Ok{};
  if (user.empty()) {
    log::warn("running_as_root", {{"hint", "set server.user to drop privileges after binding"}});
    return Ok{};
  }
  errno = 0;
  struct passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return user_error("server.user '" + user + "' does not exist (create it with: useradd --system " + user + ")");
  uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  std::error_code ec;
  if (::chown(data_dir.c_str(), uid, gid) != 0)
    return user_error("chown " + data_dir + ": " + std::strerror(errno));
  for (auto it = std::filesystem::recursive_directory_iterator(data_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (::lchown(it->path().c_str(), uid, gid) != 0)
      return user_error("chown " + it->path().string() + ": " + std::strerror(errno));
  }
  if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
    return internal_error(std::string("dropping privileges failed: ") + std::strerror(errno));
  if (::setuid(0) == 0) return internal_error("could regain root after dropping privileges");
  log::info("privileges_dropped", {{"user", user}, {"uid", static_cast<int64_t>(uid)}});
  return Ok{};
}

}  // namespace postern::server
