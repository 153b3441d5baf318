// One Directory per thread on its own database connection, opened on first
// use: event-loop and worker threads look users up without sharing a
// connection, and see CLI changes at once (WAL).
#pragma once

#include <string>

#include "directory/directory.hpp"

namespace postern::directory {

// The calling thread's Directory for the database at `database_path`, or an
// error when it cannot be opened. The first path a thread uses wins.
Result<Directory*> thread_directory(const std::string& database_path);

}  // namespace postern::directory
