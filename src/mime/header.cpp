// Header section splitting, unfolding and RFC 5322 date handling.
#include "mime/header.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/strings.hpp"

namespace postern::mime {
namespace {

bool is_ftext(unsigned char c) { return c >= 33 && c <= 126 && c != ':'; }

// Returns the end of the line starting at `pos` (index of '\n' or size) and
// sets `next` to the start of the following line.
size_t line_end(std::string_view m, size_t pos, size_t& next) {
  size_t nl = m.find('\n', pos);
  if (nl == std::string_view::npos) {
    next = m.size();
    return m.size();
  }
  next = nl + 1;
  return (nl > pos && m[nl - 1] == '\r') ? nl - 1 : nl;
}

}  // namespace

HeaderSection parse_header_section(std::string_view m) {
  HeaderSection out;
  size_t pos = 0;
  while (pos < m.size()) {
    size_t next;
    size_t end = line_end(m, pos, next);
    if (end == pos) {  // empty line: end of the header section
      out.body_offset = next;
      return out;
    }
    unsigned char first = static_cast<unsigned char>(m[pos]);
    if ((first == ' ' || first == '\t') && !out.fields.empty()) {
      // Continuation: extend the previous field's raw value to this line's end.
      auto& f = out.fields.back();
      f.value = std::string_view(f.value.data(), static_cast<size_t>(m.data() + end - f.value.data()));
      pos = next;
      continue;
    }
    size_t colon = pos;
    while (colon < end && is_ftext(static_cast<unsigned char>(m[colon]))) ++colon;
    // Tolerate "Name :" (obsolete syntax, RFC 5322 §4.5).
    size_t name_end = colon;
    while (colon < end && (m[colon] == ' ' || m[colon] == '\t')) ++colon;
    if (colon >= end || m[colon] != ':' || name_end == pos || out.fields.size() >= kMaxHeaderFields) {
      // Not a header line: the body starts here (no empty separator line).
      out.malformed = true;
      out.body_offset = pos;
      return out;
    }
    out.fields.push_back({m.substr(pos, name_end - pos), m.substr(colon + 1, end - colon - 1)});
    pos = next;
  }
  out.body_offset = m.size();
  return out;
}

const HeaderField* find_field(const HeaderSection& headers, std::string_view name) {
  for (const auto& f : headers.fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' || c == '\n') continue;
    out += c;
  }
  return std::string(trim(out));
}

namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;
  void skip_cfws() {
    for (;;) {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == ',')) ++i;
      if (i < s.size() && s[i] == '(') {  // comment, possibly nested
        int depth = 0;
        while (i < s.size()) {
          if (s[i] == '\\') {
            i = std::min(i + 2, s.size());  // a trailing backslash must not step past the end
            continue;
          }
          if (s[i] == '(') ++depth;
          if (s[i] == ')' && --depth == 0) { ++i; break; }
          ++i;
        }
        continue;
      }
      return;
    }
  }
  bool number(int& out, int min_digits, int max_digits) {
    skip_cfws();
    int n = 0, digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < max_digits) {
      n = n * 10 + (s[i] - '0');
      ++i;
      ++digits;
    }
    if (digits < min_digits) return false;
    out = n;
    return true;
  }
  std::string_view word() {
    skip_cfws();
    size_t start = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(start, i - start);
  }
  bool expect(char c) {
    skip_cfws();
    if (i < s.size() && s[i] == c) { ++i; return true; }
    return false;
  }
};

int month_index(std::string_view m) {
  static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int k = 0; k < 12; ++k)
    if (iequals(m, names[k])) return k;
  return -1;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> parse_date(std::string_view value) {
  auto d = parse_zoned_date(value);
  if (!d) return std::nullopt;
  return d->unix_seconds;
}

std::optional<ZonedDate> parse_zoned_date(std::string_view value) {
  Cursor c{value};
  c.skip_cfws();
  // Optional day-of-week ("Mon,").
  size_t save = c.i;
  auto dow = c.word();
  if (!dow.empty()) {
    if (!c.expect(',')) c.i = save + dow.size();
  } else {
    c.i = save;
  }
  int day, year, hour, minute, second = 0;
  if (!c.number(day, 1, 2) || day < 1 || day > 31) return std::nullopt;
  int month = month_index(c.word());
  if (month < 0) return std::nullopt;
  if (!c.number(year, 2, 4)) return std::nullopt;
  if (year < 50) year += 2000;          // RFC 5322 §4.3
  else if (year < 1000) year += 1900;
  if (!c.number(hour, 1, 2) || !c.expect(':') || !c.number(minute, 2, 2)) return std::nullopt;
  size_t before_sec = c.i;
  if (c.expect(':')) {
    if (!c.number(second, 2, 2)) return std::nullopt;
  } else {
    c.i = before_sec;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  c.skip_cfws();
  int offset_minutes = 0;
  if (c.i < value.size() && (value[c.i] == '+' || value[c.i] == '-')) {
    int sign = value[c.i] == '-' ? -1 : 1;
    ++c.i;
    int hhmm;
    size_t start = c.i;
    if (!c.number(hhmm, 4, 4) || c.i - start != 4) return std::nullopt;
    offset_minutes = sign * ((hhmm / 100) * 60 + hhmm % 100);
  } else {
    auto zone = c.word();
    struct Zone { const char* name; int minutes; };
    static const Zone zones[] = {{"UT", 0},    {"GMT", 0},   {"Z", 0},     {"EST", -300}, {"EDT", -240},
                                 {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480},
                                 {"PDT", -420}};
    for (const auto& z : zones)
      if (iequals(zone, z.name)) offset_minutes = z.minutes;
  }
  int64_t days = days_from_civil(year, static_cast<unsigned>(month + 1), static_cast<unsigned>(day));
  return ZonedDate{days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60, offset_minutes};
}

std::string format_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace postern::mime
