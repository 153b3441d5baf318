// raise_fd_limit: getrlimit/setrlimit, with a warning that names the fix.
#include "server/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>

#include "core/log.hpp"

namespace postern::server {

void raise_fd_limit(unsigned connections) {
  // Blob files, the database, listeners, DNS and outbound SMTP sockets.
  constexpr rlim_t kHeadroom = 1024;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t wanted = static_cast<rlim_t>(connections) + kHeadroom;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, lim.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted)
    log::warn("fd_limit_low", {{"limit", static_cast<uint64_t>(lim.rlim_cur)},
                               {"max_connections", connections},
                               {"hint", "raise the hard limit (systemd LimitNOFILE=) or lower server.max_connections"}});
}

}  // namespace postern::server
