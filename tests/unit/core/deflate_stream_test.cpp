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

TEST(DeflateStream, CorruptInputIsAnError) {
  InflateStream i;
  auto r = i.decompress(std::string("\xff\xff\xff\xff garbage", 12));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid compressed data"), std::string::npos);
  EXPECT_FALSE(i.decompress("more").ok());
}

}  // namespace
}  // namespace postern
