// IMAP dates: the SEARCH "date" (RFC 9051 §9: d-Mon-yyyy, optionally quoted)
// and the APPEND/INTERNALDATE "date-time" ("dd-Mon-yyyy hh:mm:ss +zzzz").
// Parses untrusted input; formats what the server sends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {

struct Date {
  int year = 1970;  // 4 digits as sent
  int month = 1;    // 1..12
  int day = 1;      // 1..31, checked against the month (29 Feb only in leap years)
  friend bool operator==(const Date&, const Date&) = default;
};

struct DateTime {
  Date date;
  int hour = 0, minute = 0, second = 0;
  int zone_minutes = 0;  // +0200 -> 120; -0330 -> -210
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// RFC 9051 §9 date-text = date-day "-" date-month "-" date-year, date-day 1*2DIGIT.
// Month names are case-insensitive.
Result<Date> parse_date(std::string_view text);
// A date argument node: atom or quoted (RFC 9051 §9 date = date-text / DQUOTE date-text DQUOTE).
Result<Date> parse_date(const Node& node);

// RFC 9051 §9 date-time = DQUOTE date-day-fixed "-" date-month "-" date-year
// SP time SP zone DQUOTE; date-day-fixed = (SP DIGIT) / 2DIGIT. `text` is
// the content of the quoted string. A one-digit day without the space is
// accepted too (common client bug).
Result<DateTime> parse_date_time(std::string_view text);

// Seconds since the Unix epoch (UTC) of a date at 00:00 UTC / of a date-time.
int64_t to_unix_seconds(const Date& d);
int64_t to_unix_seconds(const DateTime& dt);
// The UTC date-time of a Unix time (zone +0000), e.g. for INTERNALDATE.
DateTime from_unix_seconds(int64_t t, int zone_minutes = 0);

// "17-Jul-1996 02:44:25 -0700" without quotes (callers add them via the
// response writer); the day is space-padded as date-day-fixed requires.
std::string format_date_time(const DateTime& dt);

}  // namespace postern::imap
