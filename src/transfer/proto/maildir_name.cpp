// Maildir file name parsing and the ":2," info suffix (see maildir_name.hpp).
#include "transfer/proto/maildir_name.hpp"

#include <algorithm>
#include <array>

#include "core/strings.hpp"

namespace postern::transfer {
namespace {

struct LetterFlag {
  char letter;
  std::string_view flag;
};
// ASCII order of the letters, which is the order they appear in a name.
constexpr std::array<LetterFlag, 6> kLetters{{
    {'D', "\\Draft"}, {'F', "\\Flagged"}, {'P', "$Forwarded"},
    {'R', "\\Answered"}, {'S', "\\Seen"}, {'T', "\\Deleted"},
}};

// Delivery times before 1990 or after 2200 are not timestamps but some
// other naming scheme; the caller falls back to the file's mtime.
constexpr int64_t kMinTime = 631152000;
constexpr int64_t kMaxTime = 7258118400;

std::optional<int64_t> leading_number(std::string_view s) {
  int64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && i < 12 && s[i] >= '0' && s[i] <= '9'; ++i) v = v * 10 + (s[i] - '0');
  if (i == 0) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::string_view> flag_of_letter(char letter) {
  for (const auto& lf : kLetters)
    if (lf.letter == letter) return lf.flag;
  return std::nullopt;
}

std::optional<char> letter_of_flag(std::string_view flag) {
  for (const auto& lf : kLetters)
    if (iequals(lf.flag, flag)) return lf.letter;
  return std::nullopt;
}

MaildirName parse_maildir_name(std::string_view name) {
  MaildirName out;
  // The info part starts at the last ':' (a colon never appears in the
  // unique part Dovecot and Courier generate; some tools use ';' or '!'
  // on file systems without ':', which we accept the same way).
  size_t colon = name.find_last_of(":;!");
  std::string_view base = colon == std::string_view::npos ? name : name.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view info = name.substr(colon + 1);
    if (info.size() >= 2 && info[0] == '2' && info[1] == ',') {
      for (char c : info.substr(2)) {
        if (auto f = flag_of_letter(c)) {
          if (std::find(out.flags.begin(), out.flags.end(), *f) == out.flags.end()) out.flags.emplace_back(*f);
        } else if (c >= 'a' && c <= 'z' && out.keyword_letters.find(c) == std::string::npos) {
          out.keyword_letters += c;
        }
      }
      std::sort(out.keyword_letters.begin(), out.keyword_letters.end());
    }
  }
  if (auto t = leading_number(base); t && *t >= kMinTime && *t <= kMaxTime) {
    // Only a whole first field counts ("1700000000.M1P2.host"), not "17abc".
    size_t digits = std::to_string(*t).size();
    if (digits == base.size() || base[digits] == '.') out.delivered_at = *t;
  }
  // ",S=123" and ",W=456" fields after the unique part.
  for (size_t pos = base.find(','); pos != std::string_view::npos; pos = base.find(',', pos + 1)) {
    std::string_view field = base.substr(pos + 1);
    if (field.size() < 3 || field[1] != '=') continue;
    auto v = leading_number(field.substr(2));
    if (!v) continue;
    if (field[0] == 'S') out.size = *v;
    else if (field[0] == 'W') out.virtual_size = *v;
  }
  return out;
}

std::string maildir_info(const std::vector<std::string>& flags, std::string_view keyword_letters) {
  std::string letters;
  for (const auto& f : flags)
    if (auto l = letter_of_flag(f); l && letters.find(*l) == std::string::npos) letters += *l;
  std::sort(letters.begin(), letters.end());
  std::string kw(keyword_letters);
  std::sort(kw.begin(), kw.end());
  kw.erase(std::unique(kw.begin(), kw.end()), kw.end());
  return ":2," + letters + kw;
}

}  // namespace postern::transfer
