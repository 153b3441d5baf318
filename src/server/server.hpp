// `postern serve`: wires the modules together from the config — listeners,
// TLS, the store, the directory policy, signal handling — and runs until
// SIGTERM/SIGINT (graceful drain) while SIGHUP reloads the TLS certificate.
#pragma once

#include "core/config.hpp"

namespace postern::server {

// Returns the process exit status.
int serve(const Config& config);

}  // namespace postern::server
