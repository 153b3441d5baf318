// BlobStore::read_range: chunked reads of a stored blob (POP3 RETR streams
// big messages with it), at the start, across the end and past it.
#include <gtest/gtest.h>

#include "store/blob_store.hpp"
#include "test_dir.hpp"

namespace postern::store {
namespace {

TEST(BlobRange, ChunksReassembleTheBlob) {
  testing::TempDir dir;
  BlobStore blobs(dir.path());
  ASSERT_TRUE(blobs.open().ok());
  std::string content;
  for (int i = 0; i < 10000; ++i) content += "line " + std::to_string(i) + "\r\n";
  auto hash = blobs.write(content);
  ASSERT_TRUE(hash.ok());
  for (uint64_t chunk : {1ull, 7ull, 4096ull, 1ull << 20}) {
    std::string joined;
    uint64_t offset = 0;
    for (;;) {
      auto part = blobs.read_range(*hash, offset, chunk);
      ASSERT_TRUE(part.ok()) << part.error().message;
      if (part->empty()) break;
      EXPECT_LE(part->size(), chunk);
      offset += part->size();
      joined += *part;
      if (chunk == 1 && offset > 300) break;  // enough for the smallest chunk
    }
    EXPECT_EQ(joined, content.substr(0, joined.size())) << chunk;
    if (chunk > 1) {
      EXPECT_EQ(joined.size(), content.size()) << chunk;
    }
  }
  auto tail = blobs.read_range(*hash, content.size() - 3, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "9\r\n");
  auto past = blobs.read_range(*hash, content.size() + 10, 100);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->empty());
  EXPECT_FALSE(blobs.read_range(std::string(64, 'a'), 0, 10).ok());  // no such blob
}

}  // namespace
}  // namespace postern::store
