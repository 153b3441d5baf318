// Raw DEFLATE streams for COMPRESS=DEFLATE (RFC 4978).
#include "core/deflate_stream.hpp"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(DeflateStream, RoundTripsChunkByChunkWithSharedDictionary) {
  DeflateStream d;
  InflateStream i;
  std::string line = "* 1 FETCH (FLAGS (\\Seen) UID 1)\r\n";
  auto first = d.compress(line);
  auto second = d.compress(line);
  EXPECT_LT(second.size(), first.size());  // the dictionary carries over
  EXPECT_EQ(*i.decompress(first), line);
  EXPECT_EQ(*i.decompress(second), line);
}

TEST(DeflateStream, SplitInputAndLargeOutput) {
  DeflateStream d;
  InflateStream i;
  std::string big(200000, 'x');
  for (size_t k = 0; k < big.size(); k += 7) big[k] = static_cast<char>('a' + k % 26);
  auto z = d.compress(big);
  std::string got;
  for (size_t k = 0; k < z.size(); k += 1000) got += *i.decompress(std::string_view(z).substr(k, 1000));
  EXPECT_EQ(got, big);
}

TEST(DeflateStream, TakeBoundsEachSliceAndLosesNothing) {
  DeflateStream d;
  InflateStream i;
  // 4 MiB of one byte compresses to a few KiB: the expansion a client
  // could use to make one small read cost megabytes at once.
  std::string bomb(4 * 1024 * 1024, 'A');
  auto z = d.compress(bomb);
  ASSERT_LT(z.size(), 16u * 1024);
  std::string tail = "a1 NOOP\r\n";
  i.feed(z);
  i.feed(d.compress(tail));
  std::string got;
  size_t slices = 0;
  for (;;) {
    auto part = i.take(64 * 1024);
    ASSERT_TRUE(part.ok());
    if (part->empty()) break;
    EXPECT_LE(part->size(), 64u * 1024);
    got += *part;
    ++slices;
  }
  EXPECT_EQ(got, bomb + tail);
  EXPECT_GE(slices, 64u);
  // Later input continues the same stream.
  i.feed(d.compress(tail));
  EXPECT_EQ(*i.take(3), "a1 ");
  EXPECT_EQ(*i.take(100), "NOOP\r\n");
  EXPECT_EQ(*i.take(100), "");
}

TEST(DeflateStream, CorruptInputIsAnError) {
  InflateStream i;
  auto r = i.decompress(std::string("\xff\xff\xff\xff garbage", 12));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid compressed data"), std::string::npos);
  EXPECT_FALSE(i.decompress("more").ok());
}

}  // namespace
}  // namespace postern
