// msg-id extraction for threading (RFC 5322 §3.6.4, RFC 5256 §2.2).
#include "mime/msg_id.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace postern::mime {
namespace {

using Ids = std::vector<std::string>;

TEST(MsgId, ExtractsEveryTokenInOrder) {
  EXPECT_EQ(extract_msg_ids("<a@x> <b@y>\t<c@z>"), (Ids{"<a@x>", "<b@y>", "<c@z>"}));
  EXPECT_EQ(extract_msg_ids("(comment) <a@x> (Bob's message)"), (Ids{"<a@x>"}));
  EXPECT_EQ(extract_msg_ids(""), Ids{});
  EXPECT_EQ(extract_msg_ids("no brackets@here"), Ids{});
}

TEST(MsgId, ToleratesBrokenMailers) {
  EXPECT_EQ(extract_msg_ids("<a@x><b@y>"), (Ids{"<a@x>", "<b@y>"}));
  EXPECT_EQ(extract_msg_ids("<broken <a@x>"), (Ids{"<a@x>"}));
  EXPECT_EQ(extract_msg_ids("< a@x >"), (Ids{"<a@x>"}));  // folding leftovers
  EXPECT_EQ(extract_msg_ids("<> <  > <ok>"), (Ids{"<ok>"}));
  EXPECT_EQ(extract_msg_ids("<unterminated@x"), Ids{});
  EXPECT_EQ(extract_msg_ids("<" + std::string(2000, 'x') + ">"), Ids{});
}

TEST(MsgId, FoldedBlankTokensAreSkipped) {
  // fuzz_mime_fields: "<\r\n>" gave the empty msg-id "<>".
  EXPECT_EQ(extract_msg_ids("<\r\n>"), Ids{});
  EXPECT_EQ(extract_msg_ids("<a@x> (comment) <b c@y>\r\n <<broken@z> <> <\r\n>"),
            (Ids{"<a@x>", "<bc@y>", "<broken@z>"}));
}

TEST(MsgId, ManyOpeningBracketsAreLinear) {
  // fuzz_mime_fields: every "<" used to search for ">" again (quadratic).
  std::string many(4'000'000, '<');
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(extract_msg_ids(many + "a@x>"), (Ids{"<a@x>"}));
  EXPECT_EQ(extract_msg_ids(many + "a@x> " + many), (Ids{"<a@x>"}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(MsgId, ManyIdsKeepTheLastOnes) {
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "<" + std::to_string(i) + "@x>";
  EXPECT_EQ(extract_msg_ids(many, 3), (Ids{"<99997@x>", "<99998@x>", "<99999@x>"}));
  EXPECT_EQ(extract_msg_ids(many, 1), (Ids{"<99999@x>"}));
  EXPECT_EQ(extract_msg_ids(many, 0), Ids{});
  EXPECT_EQ(extract_msg_ids(many, SIZE_MAX).size(), 100000u);
  EXPECT_EQ(first_msg_id(many), "<0@x>");
}

TEST(MsgId, KeepsTheClosestAncestorsWhenTooMany) {
  EXPECT_EQ(extract_msg_ids("<1> <2> <3> <4>", 2), (Ids{"<3>", "<4>"}));
}

TEST(MsgId, FirstMsgId) {
  EXPECT_EQ(first_msg_id("  <abc@example.org> "), "<abc@example.org>");
  EXPECT_EQ(first_msg_id("garbage"), "");
}

}  // namespace
}  // namespace postern::mime
