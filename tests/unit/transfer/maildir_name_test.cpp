// Maildir file names: flags, keyword letters, delivery time, sizes; folder
// names; dovecot-keywords.
#include "transfer/proto/maildir_name.hpp"

#include <gtest/gtest.h>

#include "transfer/proto/dovecot_keywords.hpp"
#include "transfer/proto/maildir_folder.hpp"

namespace postern::transfer {
namespace {

using Flags = std::vector<std::string>;

TEST(MaildirName, TableOfNames) {
  struct Case {
    const char* name;
    Flags flags;
    std::string keywords;
    std::optional<int64_t> time;
  };
  const Case cases[] = {
      {"1700000000.M1P2.host:2,S", {"\\Seen"}, "", 1700000000},
      {"1700000000.M1P2.host,S=1234,W=1260:2,DFPRST", {"\\Draft", "\\Flagged", "$Forwarded", "\\Answered", "\\Seen", "\\Deleted"}, "", 1700000000},
      {"1700000000.M1P2.host:2,Sac", {"\\Seen"}, "ac", 1700000000},
      {"1700000000.M1P2.host:2,caSa", {"\\Seen"}, "ac", 1700000000},  // unsorted, duplicate
      {"1700000000.M1P2.host", {}, "", 1700000000},                    // new/: no info
      {"1700000000.M1P2.host:1,experimental", {}, "", 1700000000},     // version 1 info: no flags
      {"1700000000.M1P2.host:2,XYZ", {}, "", 1700000000},              // unknown uppercase letters
      {"17abc.host:2,S", {"\\Seen"}, "", std::nullopt},
      {"12.host:2,S", {"\\Seen"}, "", std::nullopt},                   // 1970: not a delivery time
      {"courier.name;2,RS", {"\\Answered", "\\Seen"}, "", std::nullopt},
      {"", {}, "", std::nullopt},
      {":2,", {}, "", std::nullopt},
  };
  for (const auto& c : cases) {
    auto n = parse_maildir_name(c.name);
    EXPECT_EQ(n.flags, c.flags) << c.name;
    EXPECT_EQ(n.keyword_letters, c.keywords) << c.name;
    EXPECT_EQ(n.delivered_at, c.time) << c.name;
  }
}

TEST(MaildirName, Sizes) {
  auto n = parse_maildir_name("1700000000.M1P2.host,S=1234,W=1260:2,S");
  EXPECT_EQ(n.size, 1234);
  EXPECT_EQ(n.virtual_size, 1260);
  EXPECT_FALSE(parse_maildir_name("1700000000.host:2,S").size);
}

TEST(MaildirName, InfoRoundTrips) {
  EXPECT_EQ(maildir_info({"\\Seen", "\\Answered", "$Forwarded"}, "ca"), ":2,PRSac");
  EXPECT_EQ(maildir_info({}, ""), ":2,");
  EXPECT_EQ(maildir_info({"\\Recent", "$Junk"}, ""), ":2,");  // no letter for these
  auto n = parse_maildir_name("x" + maildir_info({"\\Draft", "\\Deleted"}, "b"));
  EXPECT_EQ(n.flags, (Flags{"\\Draft", "\\Deleted"}));
  EXPECT_EQ(n.keyword_letters, "b");
}

TEST(MaildirFolder, StoreNames) {
  EXPECT_EQ(*store_name_of_folder(""), "INBOX");
  EXPECT_EQ(*store_name_of_folder(".Sent"), "Sent");
  EXPECT_EQ(*store_name_of_folder(".Lists.foo"), "Lists/foo");
  EXPECT_EQ(*store_name_of_folder(".Entw&APw-rfe"), "Entwürfe");
  EXPECT_FALSE(store_name_of_folder(".Lists..foo"));
  EXPECT_FALSE(store_name_of_folder(".a&AGE"));  // unterminated mUTF-7
  EXPECT_FALSE(store_name_of_folder("Sent"));
  EXPECT_FALSE(store_name_of_folder(".INBOX"));
  EXPECT_EQ(*folder_of_store_name("INBOX"), "");
  EXPECT_EQ(*folder_of_store_name("Lists/foo"), ".Lists.foo");
  EXPECT_EQ(*folder_of_store_name("Entwürfe"), ".Entw&APw-rfe");
  bool renamed = false;
  EXPECT_EQ(*folder_of_store_name("v1.2/x", &renamed), ".v1_2.x");
  EXPECT_TRUE(renamed);
}

TEST(MaildirFolder, SpecialUseConventions) {
  EXPECT_EQ(conventional_special_use("Sent"), "\\Sent");
  EXPECT_EQ(conventional_special_use("sent items"), "\\Sent");
  EXPECT_EQ(conventional_special_use("Sent Messages"), "\\Sent");
  EXPECT_EQ(conventional_special_use("Spam"), "\\Junk");
  EXPECT_EQ(conventional_special_use("Deleted Items"), "\\Trash");
  EXPECT_EQ(conventional_special_use("Drafts"), "\\Drafts");
  EXPECT_FALSE(conventional_special_use("Lists/Sent"));
  EXPECT_FALSE(conventional_special_use("Work"));
}

TEST(DovecotKeywords, ParseAndFormat) {
  auto t = parse_dovecot_keywords("0 $Label1\n2 Important\n\n26 TooFar\nx Bad\n3 \n1 $Junk\r\n4 bad(char\n");
  EXPECT_EQ(t[0], "$Label1");
  EXPECT_EQ(t[1], "$Junk");
  EXPECT_EQ(t[2], "Important");
  EXPECT_EQ(t[3], "");
  EXPECT_EQ(t[4], "");
  EXPECT_EQ(keywords_of_letters(t, "acd"), (Flags{"$Label1", "Important"}));
  EXPECT_EQ(format_dovecot_keywords(t), "0 $Label1\n1 $Junk\n2 Important\n");
  EXPECT_EQ(parse_dovecot_keywords(format_dovecot_keywords(t)), t);
}

}  // namespace
}  // namespace postern::transfer
