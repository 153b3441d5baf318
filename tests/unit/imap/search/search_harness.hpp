// Test helpers for the search evaluator: messages held in memory with the
// structure cache computed as delivery does, a BlobReader that counts what
// it reads, and a one-call "does this SEARCH program match" helper that
// runs both evaluator phases like the SEARCH command.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "../args_harness.hpp"
#include "imap/proto/search_args.hpp"
#include "imap/search/evaluator.hpp"
#include "mime/structure_codec.hpp"

namespace postern::imap::testing {

inline std::string read_data_file(const std::string& name) {
  std::ifstream in(std::string(POSTERN_TEST_DATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// LF line ends to CRLF, as messages are stored.
inline std::string crlf(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  return out;
}

struct MemoryBlobs final : BlobReader {
  std::map<std::string, std::string> blobs;
  int reads = 0;
  uint64_t last_max = 0;
  Result<std::string> read(const std::string& hash, uint64_t max_bytes) override {
    ++reads;
    last_max = max_bytes;
    auto it = blobs.find(hash);
    if (it == blobs.end()) return temporary_error("no such blob");
    return max_bytes ? it->second.substr(0, max_bytes) : it->second;
  }
};

struct TestMessage {
  std::string content;
  store::MessageData data;
  MessageFacts facts;
  std::string flags;
};

class SearchFixture : public ::testing::Test {
 protected:
  TestMessage make(const std::string& content, int64_t internal_date = 1893456000 /* 1-Jan-2030 */) {
    TestMessage m;
    m.content = content;
    m.data.message_id = ++next_id_;
    m.data.blob_hash = "blob" + std::to_string(m.data.message_id);
    m.data.size = static_cast<int64_t>(content.size());
    m.data.internal_date = internal_date;
    m.data.structure = mime::encode_structure(mime::parse_message_structure(content));
    blobs_.blobs[m.data.blob_hash] = content;
    m.facts = MessageFacts{1, 1, 1, m.data.message_id, {}};
    return m;
  }

  PreparedSearch prepare(const std::string& keys) {
    auto c = cmd("t SEARCH " + keys);
    auto args = parse_search(c.args);
    EXPECT_TRUE(args.ok()) << keys << ": " << (args ? "" : args.error().message);
    if (!args) return {};
    return prepare_search(std::move(args->program.key), ctx_.exists, ctx_.max_uid);
  }

  // Both phases, as the SEARCH command runs them.
  bool matches(const std::string& keys, TestMessage& m) {
    auto p = prepare(keys);
    m.facts.flags = m.flags;
    Verdict v = match_row(p.key, m.facts, ctx_);
    if (v != Verdict::unknown) return v == Verdict::yes;
    MessageContent content(m.data, blobs_);
    return match_message(p.key, m.facts, content, ctx_);
  }

  MemoryBlobs blobs_;
  SearchContext ctx_{.exists = 5, .max_uid = 12, .saved = {}, .now = 1893456000 + 86400, .object_id = {}};
  int64_t next_id_ = 0;
};

}  // namespace postern::imap::testing
