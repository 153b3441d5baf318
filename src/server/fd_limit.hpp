// The process's open-file limit, raised at startup so that the configured
// connection limit (server.max_connections) can actually be reached: the
// usual soft default of 1024 descriptors would otherwise fail accept()
// long before it.
#pragma once

namespace postern::server {

// Raises the soft RLIMIT_NOFILE towards `connections` plus headroom for
// the store, the listeners and the outbound queue (never above the hard
// limit) and logs a warning when even the hard limit is too low.
void raise_fd_limit(unsigned connections);

}  // namespace postern::server
