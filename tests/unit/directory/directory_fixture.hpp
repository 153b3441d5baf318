// A fresh, migrated SQLite database in a temporary directory per test, with
// cheap password hashing so that creating users takes microseconds.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "directory/directory.hpp"
#include "store/sqlite/schema.hpp"

namespace postern::directory::testing {

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_password_cost_for_tests(true);
    std::string tmpl = (std::filesystem::temp_directory_path() / "postern-dir-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto db = store::sqlite::Db::open(dir_ + "/postern.db", store::sqlite::Db::Durability::normal);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::make_unique<store::sqlite::Db>(std::move(*db));
    auto migrated = store::sqlite::migrate(*db_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    directory_ = std::make_unique<Directory>(*db_);
  }

  void TearDown() override {
    directory_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Directory& dir() { return *directory_; }
  store::sqlite::Db& db() { return *db_; }

  void add_domain(const std::string& name) {
    auto s = dir().add_domain(name);
    ASSERT_TRUE(s) << s.error().message;
  }
  int64_t add_user(const std::string& address, const std::string& password = "secret") {
    auto id = dir().add_user(address, password);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : -1;
  }
  void add_alias(const std::string& source, std::vector<std::string> targets) {
    auto s = dir().add_alias(source, targets);
    ASSERT_TRUE(s) << s.error().message;
  }

 private:
  std::string dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<Directory> directory_;
};

// Matches a failed Status/Result with the given kind and exact message.
template <class R>
::testing::AssertionResult fails_with(const R& r, ErrorKind kind, const std::string& message) {
  if (r.ok()) return ::testing::AssertionFailure() << "succeeded, expected: " << message;
  if (r.error().kind != kind || r.error().message != message)
    return ::testing::AssertionFailure() << "failed with kind " << static_cast<int>(r.error().kind) << " '"
                                         << r.error().message << "', expected kind " << static_cast<int>(kind)
                                         << " '" << message << "'";
  return ::testing::AssertionSuccess();
}

}  // namespace postern::directory::testing
