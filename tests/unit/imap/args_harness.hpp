// Test helper: tokenizes a one-line command so typed-argument tests can be
// written as the client would type them.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "imap/proto/parse_tree.hpp"

namespace postern::imap::testing {

inline Command cmd(const std::string& line) {
  auto c = parse_command(line);
  EXPECT_TRUE(c.ok()) << line << ": " << (c ? "" : c.error().message);
  return c ? std::move(c).value() : Command{};
}

}  // namespace postern::imap::testing
