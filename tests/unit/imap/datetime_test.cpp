// IMAP date (SEARCH) and date-time (APPEND, INTERNALDATE), RFC 9051 §9.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/proto/datetime.hpp"

namespace postern::imap {
namespace {

TEST(Date, Table) {
  struct Case {
    std::string in;
    bool ok;
    Date d;
  };
  const std::vector<Case> cases = {
      {"1-Feb-1994", true, {1994, 2, 1}},
      {"01-feb-1994", true, {1994, 2, 1}},  // month names are case-insensitive
      {"29-Feb-2024", true, {2024, 2, 29}},
      {"29-Feb-2023", false, {}},
      {"31-Apr-2020", false, {}},
      {"0-Jan-2020", false, {}},
      {"1-Foo-2020", false, {}},
      {"1-Jan-20", false, {}},
      {"123-Jan-2020", false, {}},
      {"1 Jan 2020", false, {}},
      {"", false, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto d = parse_date(c.in);
    ASSERT_EQ(d.ok(), c.ok);
    if (c.ok) {
      EXPECT_EQ(*d, c.d);
    }
  }
}

TEST(DateTime, Table) {
  struct Case {
    std::string in;
    bool ok;
    DateTime dt;
  };
  const std::vector<Case> cases = {
      {"17-Jul-1996 02:44:25 -0700", true, {{1996, 7, 17}, 2, 44, 25, -420}},
      {" 7-Jul-1996 02:44:25 +0130", true, {{1996, 7, 7}, 2, 44, 25, 90}},  // date-day-fixed = SP DIGIT
      {"7-Jul-1996 02:44:25 +0000", true, {{1996, 7, 7}, 2, 44, 25, 0}},    // lenient: no pad
      {"07-Jul-1996 23:59:60 +0000", true, {{1996, 7, 7}, 23, 59, 60, 0}},  // leap second
      {"07-Jul-1996 24:00:00 +0000", false, {}},
      {"07-Jul-1996 02:44:25 0700", false, {}},
      {"07-Jul-1996 02:44 +0700", false, {}},
      {"07-Jul-1996 02:44:25 +0760", false, {}},
      {"07-Jul-1996", false, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto d = parse_date_time(c.in);
    ASSERT_EQ(d.ok(), c.ok) << (d ? "" : d.error().message);
    if (c.ok) {
      EXPECT_EQ(*d, c.dt);
    }
  }
}

TEST(DateTime, UnixRoundTripAndFormat) {
  auto dt = parse_date_time("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(dt.ok());
  EXPECT_EQ(to_unix_seconds(*dt), 837596665);
  EXPECT_EQ(format_date_time(*dt), "17-Jul-1996 02:44:25 -0700");
  EXPECT_EQ(format_date_time(from_unix_seconds(837596665)), "17-Jul-1996 09:44:25 +0000");
  EXPECT_EQ(format_date_time(from_unix_seconds(0)), " 1-Jan-1970 00:00:00 +0000");
  EXPECT_EQ(format_date_time(from_unix_seconds(837596665, -420)), "17-Jul-1996 02:44:25 -0700");
  EXPECT_EQ(to_unix_seconds(Date{2000, 3, 1}), 951868800);
  EXPECT_EQ(format_date_time(from_unix_seconds(-1)), "31-Dec-1969 23:59:59 +0000");
}

}  // namespace
}  // namespace postern::imap
