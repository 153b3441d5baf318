// Transcript runner for the sans-I/O SMTP client: "S: " lines are fed to the
// session as server replies, "C: " lines must be the next line the client
// wrote. "TLS" stands for the adapter's handshake succeeding.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "smtp/client/session.hpp"

namespace postern::smtp::client::testing {

class Transcript {
 public:
  explicit Transcript(ClientSession& s) : s_(s) {}

  // Runs `script`; stops at the first mismatch (reported to gtest).
  void run(const std::vector<std::string>& script) {
    for (const auto& line : script) {
      if (line.rfind("S: ", 0) == 0) {
        s_.receive(line.substr(3) + "\r\n");
      } else if (line == "TLS") {
        ASSERT_TRUE(s_.wants_tls()) << "client did not ask for TLS";
        s_.tls_established();
      } else if (line.rfind("C: ", 0) == 0) {
        pending_ += s_.take_output();
        size_t eol = pending_.find("\r\n");
        ASSERT_NE(eol, std::string::npos) << "client wrote nothing; expected " << line;
        EXPECT_EQ(pending_.substr(0, eol), line.substr(3));
        if (pending_.substr(0, eol) != line.substr(3)) return;
        pending_.erase(0, eol + 2);
      } else {
        FAIL() << "bad script line " << line;
      }
    }
    pending_ += s_.take_output();
  }
  // Client output not yet matched by a "C:" line.
  const std::string& unmatched() const { return pending_; }
  std::string take_unmatched() { return std::exchange(pending_, std::string()); }

 private:
  ClientSession& s_;
  std::string pending_;
};

inline ClientOptions plain_options() {
  ClientOptions o;
  o.helo_name = "out.example.org";
  o.tls = TlsPolicy::none;
  return o;
}

}  // namespace postern::smtp::client::testing
