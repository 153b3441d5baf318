// thread_directory: a thread_local connection and Directory.
#include "directory/thread_directory.hpp"

#include <memory>

namespace postern::directory {

Result<Directory*> thread_directory(const std::string& database_path) {
  struct PerThread {
    store::sqlite::Db db;
    std::unique_ptr<Directory> dir;
  };
  thread_local PerThread t;
  if (!t.dir) {
    auto db = store::sqlite::Db::open(database_path);
    if (!db) return db.error();
    t.db = std::move(*db);
    t.dir = std::make_unique<Directory>(t.db);
  }
  return t.dir.get();
}

}  // namespace postern::directory
