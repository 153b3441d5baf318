// msg-id extraction for threading (RFC 5322 §3.6.4, RFC 5256 §2.2).
#include "mime/msg_id.hpp"

#include <gtest/gtest.h>

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

TEST(MsgId, KeepsTheClosestAncestorsWhenTooMany) {
  EXPECT_EQ(extract_msg_ids("<1> <2> <3> <4>", 2), (Ids{"<3>", "<4>"}));
}

TEST(MsgId, FirstMsgId) {
  EXPECT_EQ(first_msg_id("  <abc@example.org> "), "<abc@example.org>");
  EXPECT_EQ(first_msg_id("garbage"), "");
}

}  // namespace
}  // namespace postern::mime
