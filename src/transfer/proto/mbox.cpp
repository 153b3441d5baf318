// mbox splitting, From_ quoting and status headers (see mbox.hpp).
#include "transfer/proto/mbox.hpp"

#include <ctime>

#include "core/strings.hpp"

namespace postern::transfer {
namespace {

// Calls fn(line_without_end, line_start, next_line_start) for every line.
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!fn(line, pos, next)) return;
    pos = next;
  }
}

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (pos < s.size() && space(s[pos])) ++pos;
    size_t end = pos;
    while (end < s.size() && !space(s[end])) ++end;
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::optional<int> number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int month_index(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (iequals(s, kMonths[i])) return i;
  return -1;
}

// "^>*From " (the quoted or unquoted separator shape).
bool quoted_from(std::string_view line, size_t* quotes) {
  size_t q = 0;
  while (q < line.size() && line[q] == '>') ++q;
  if (quotes) *quotes = q;
  return line.substr(q, 5) == "From ";
}

bool is_status_field(std::string_view name) {
  return iequals(name, "Status") || iequals(name, "X-Status") || iequals(name, "X-Keywords") ||
         iequals(name, "X-UID") || iequals(name, "X-IMAP") || iequals(name, "X-IMAPbase");
}

void add_flag(std::vector<std::string>& flags, std::string flag) {
  for (const auto& f : flags)
    if (iequals(f, flag)) return;
  flags.push_back(std::move(flag));
}

}  // namespace

FromLine parse_from_line(std::string_view rest) {
  FromLine out;
  auto t = tokens(rest);
  if (t.empty()) return out;
  out.sender = std::string(t[0]);
  // Find "Mon DD HH:MM[:SS]" anywhere after the sender (ctime's weekday
  // first, but some writers add or drop fields), then the year and an
  // optional numeric zone after it.
  for (size_t i = 1; i + 2 < t.size(); ++i) {
    int month = month_index(t[i]);
    auto day = number(t[i + 1]);
    if (month < 0 || !day || *day < 1 || *day > 31) continue;
    std::string_view time = t[i + 2];
    int hms[3] = {0, 0, 0};
    int parts = 0;
    bool ok = true;
    for (size_t p = 0; p <= time.size() && parts < 3;) {
      size_t colon = time.find(':', p);
      auto v = number(time.substr(p, colon == std::string_view::npos ? std::string_view::npos : colon - p));
      if (!v) { ok = false; break; }
      hms[parts++] = *v;
      if (colon == std::string_view::npos) break;
      p = colon + 1;
    }
    if (!ok || parts < 2 || hms[0] > 23 || hms[1] > 59 || hms[2] > 60) continue;
    std::optional<int> year;
    int offset = 0;
    for (size_t j = i + 3; j < t.size(); ++j) {
      std::string_view tok = t[j];
      if (auto y = number(tok); y && tok.size() == 4 && !year) year = *y;
      else if (tok.size() == 5 && (tok[0] == '+' || tok[0] == '-') && number(tok.substr(1))) {
        int hhmm = *number(tok.substr(1));
        offset = (tok[0] == '-' ? -1 : 1) * ((hhmm / 100) * 3600 + (hhmm % 100) * 60);
      }
    }
    if (!year || *year < 1970 || *year > 9999) continue;
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = month;
    tm.tm_mday = *day;
    tm.tm_hour = hms[0];
    tm.tm_min = hms[1];
    tm.tm_sec = hms[2];
    out.date = static_cast<int64_t>(timegm(&tm)) - offset;
    break;
  }
  return out;
}

bool is_from_line(std::string_view line) {
  if (line.substr(0, 5) != "From ") return false;
  return parse_from_line(line.substr(5)).date.has_value();
}

std::string format_from_line(std::string_view sender, int64_t date) {
  std::string who(sender);
  if (who.empty() || who.find_first_of(" \t\r\n") != std::string::npos) who = "MAILER-DAEMON";
  std::time_t tt = static_cast<std::time_t>(date);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %2d %02d:%02d:%02d %d", kDays[tm.tm_wday], kMonths[tm.tm_mon], tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
  return "From " + who + " " + buf + "\n";
}

std::vector<MboxMessage> split_mbox(std::string_view file, bool* leading_garbage) {
  std::vector<MboxMessage> out;
  bool prev_empty = true;  // the start of the file counts as after an empty line
  bool garbage = false;
  size_t body_start = 0;
  auto close = [&](size_t end) {
    if (out.empty()) return;
    std::string_view raw = file.substr(body_start, end - body_start);
    // The empty line the writer put before the next separator (or at the
    // end of the file) is not part of the message.
    if (raw.size() >= 2 && raw.substr(raw.size() - 2) == "\n\n") raw.remove_suffix(1);
    else if (raw.size() >= 4 && raw.substr(raw.size() - 4) == "\r\n\r\n") raw.remove_suffix(2);
    else if (raw == "\n" || raw == "\r\n") raw = raw.substr(0, 0);  // empty, still a view into the file
    out.back().raw = raw;
  };
  for_each_line(file, [&](std::string_view line, size_t start, size_t next) {
    if (prev_empty && is_from_line(line)) {
      close(start);
      out.push_back(MboxMessage{line.substr(5), {}, next});
      body_start = next;
    } else if (out.empty() && !line.empty()) {
      garbage = true;
    }
    prev_empty = line.empty();
    return true;
  });
  close(file.size());
  if (leading_garbage) *leading_garbage = garbage;
  return out;
}

std::string unquote_from(std::string_view raw, MboxFormat format) {
  std::string out;
  out.reserve(raw.size());
  for_each_line(raw, [&](std::string_view line, size_t start, size_t next) {
    size_t quotes = 0;
    bool unquote = quoted_from(line, &quotes) && quotes > 0 && (format == MboxFormat::mboxrd || quotes == 1);
    out.append(raw.substr(start + (unquote ? 1 : 0), next - start - (unquote ? 1 : 0)));
    return true;
  });
  return out;
}

std::string quote_from(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for_each_line(text, [&](std::string_view line, size_t start, size_t next) {
    if (quoted_from(line, nullptr)) out += '>';
    out.append(text.substr(start, next - start));
    return true;
  });
  return out;
}

std::string strip_status_headers(std::string_view message, std::vector<std::string>& flags) {
  std::string out;
  out.reserve(message.size());
  bool in_headers = true;
  bool dropping = false;
  for_each_line(message, [&](std::string_view line, size_t start, size_t next) {
    std::string_view whole = message.substr(start, next - start);
    if (!in_headers) {
      out.append(whole);
      return true;
    }
    if (line.empty()) {
      in_headers = false;
      out.append(whole);
      return true;
    }
    if (line.front() == ' ' || line.front() == '\t') {  // continuation of the field before
      if (!dropping) out.append(whole);
      return true;
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view() : trim(line.substr(0, colon));
    dropping = !name.empty() && is_status_field(name);
    if (!dropping) {
      out.append(whole);
      return true;
    }
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Status")) {
      if (value.find('R') != std::string_view::npos) add_flag(flags, "\\Seen");
    } else if (iequals(name, "X-Status")) {
      for (char c : value) {
        if (c == 'A') add_flag(flags, "\\Answered");
        else if (c == 'F') add_flag(flags, "\\Flagged");
        else if (c == 'T') add_flag(flags, "\\Draft");
        else if (c == 'D') add_flag(flags, "\\Deleted");
      }
    } else if (iequals(name, "X-Keywords")) {
      for (auto k : tokens(value)) {
        std::string kw(k);
        if (!kw.empty() && kw.back() == ',') kw.pop_back();
        if (!kw.empty() && kw.front() != '\\') add_flag(flags, kw);
      }
    }
    return true;
  });
  return out;
}

std::string status_headers(const std::vector<std::string>& flags) {
  bool seen = false;
  std::string x_status, keywords;
  for (const auto& f : flags) {
    if (iequals(f, "\\Seen")) seen = true;
    else if (iequals(f, "\\Answered")) x_status += 'A';
    else if (iequals(f, "\\Flagged")) x_status += 'F';
    else if (iequals(f, "\\Draft")) x_status += 'T';
    else if (iequals(f, "\\Deleted")) x_status += 'D';
    else if (!f.empty() && f.front() != '\\') keywords += (keywords.empty() ? "" : " ") + f;
  }
  std::string out = seen ? "Status: RO\n" : "Status: O\n";
  if (!x_status.empty()) out += "X-Status: " + x_status + "\n";
  if (!keywords.empty()) out += "X-Keywords: " + keywords + "\n";
  return out;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(crlf_size(text));
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

uint64_t crlf_size(std::string_view text) {
  uint64_t n = text.size();
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) ++n;
  return n;
}

std::string to_lf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

}  // namespace postern::transfer
