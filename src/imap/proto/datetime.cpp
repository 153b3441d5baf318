// IMAP date and date-time parsing/formatting (RFC 9051 §9), civil-calendar
// arithmetic from Howard Hinnant's days_from_civil (public domain).
#include "imap/proto/datetime.hpp"

#include <array>
#include <cstdio>

#include "core/strings.hpp"

namespace postern::imap {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

Result<Date> parse_date_parts(std::string_view day, std::string_view mon, std::string_view year) {
  if (!digits(day) || day.size() > 2) return syntax_error("invalid day in date");
  if (!digits(year) || year.size() != 4) return syntax_error("invalid year in date");
  Date d;
  d.month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (iequals(mon, kMonths[i])) d.month = static_cast<int>(i) + 1;
  }
  if (d.month == 0) return syntax_error("invalid month in date");
  d.year = to_int(year);
  d.day = to_int(day);
  if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return syntax_error("invalid day of month in date");
  return d;
}

}  // namespace

Result<Date> parse_date(std::string_view text) {
  size_t a = text.find('-');
  size_t b = a == std::string_view::npos ? a : text.find('-', a + 1);
  if (b == std::string_view::npos) return syntax_error("invalid date (expected d-Mon-yyyy)");
  return parse_date_parts(text.substr(0, a), text.substr(a + 1, b - a - 1), text.substr(b + 1));
}

Result<Date> parse_date(const Node& node) {
  if (node.kind != NodeKind::atom && node.kind != NodeKind::quoted) {
    return syntax_error("invalid date (expected d-Mon-yyyy)");
  }
  return parse_date(std::string_view(node.text));
}

Result<DateTime> parse_date_time(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz": 26 octets; " d-Mon-..." also 26; "d-Mon-..." 25.
  if (text.size() == 26 && text[0] == ' ') text.remove_prefix(1);
  if (text.size() != 25 && text.size() != 26) return syntax_error("invalid date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")");
  size_t sp = text.find(' ');
  if (sp == std::string_view::npos || text.size() - sp != 15) {
    return syntax_error("invalid date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")");
  }
  auto date = parse_date(text.substr(0, sp));
  if (!date) return date.error();
  std::string_view t = text.substr(sp + 1);  // "hh:mm:ss +zzzz"
  if (t[2] != ':' || t[5] != ':' || t[8] != ' ' || (t[9] != '+' && t[9] != '-') || !digits(t.substr(0, 2)) ||
      !digits(t.substr(3, 2)) || !digits(t.substr(6, 2)) || !digits(t.substr(10, 4))) {
    return syntax_error("invalid time in date-time (expected hh:mm:ss +zzzz)");
  }
  DateTime dt;
  dt.date = *date;
  dt.hour = to_int(t.substr(0, 2));
  dt.minute = to_int(t.substr(3, 2));
  dt.second = to_int(t.substr(6, 2));
  int zh = to_int(t.substr(10, 2)), zm = to_int(t.substr(12, 2));
  // Leap second 60 is legal in RFC 5322 time and thus here.
  if (dt.hour > 23 || dt.minute > 59 || dt.second > 60 || zm > 59) return syntax_error("time out of range in date-time");
  dt.zone_minutes = (t[9] == '-' ? -1 : 1) * (zh * 60 + zm);
  return dt;
}

int64_t to_unix_seconds(const Date& d) {
  return days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day)) * 86400;
}

int64_t to_unix_seconds(const DateTime& dt) {
  return to_unix_seconds(dt.date) + dt.hour * 3600 + dt.minute * 60 + dt.second - int64_t{dt.zone_minutes} * 60;
}

DateTime from_unix_seconds(int64_t t, int zone_minutes) {
  t += int64_t{zone_minutes} * 60;
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  DateTime dt;
  dt.date.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  dt.date.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  dt.date.year = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (dt.date.month <= 2));
  dt.hour = static_cast<int>(secs / 3600);
  dt.minute = static_cast<int>(secs / 60 % 60);
  dt.second = static_cast<int>(secs % 60);
  dt.zone_minutes = zone_minutes;
  return dt;
}

std::string format_date_time(const DateTime& dt) {
  char buf[64];
  int z = dt.zone_minutes < 0 ? -dt.zone_minutes : dt.zone_minutes;
  std::snprintf(buf, sizeof buf, "%2d-%s-%04d %02d:%02d:%02d %c%02d%02d", dt.date.day,
                std::string(kMonths[static_cast<size_t>(dt.date.month - 1) % 12]).c_str(), dt.date.year, dt.hour,
                dt.minute, dt.second, dt.zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

}  // namespace postern::imap
