// Dropping root after the listeners are bound (DESIGN.md "Configuration
// and operation"): the data directory is handed to the service user first.
#pragma once

#include <string>

#include "core/result.hpp"

namespace postern::server {

// When running as root and `user` is set: chown `data_dir` (recursively) to
// the user, then setgroups/setgid/setuid to it. A no-op when not root.
// Errors when root and `user` is unknown.
Status drop_privileges(const std::string& user, const std::string& data_dir);

}  // namespace postern::server
