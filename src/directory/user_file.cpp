// passwd-file and CSV account lists (see user_file.hpp).
#include "directory/user_file.hpp"

#include "core/strings.hpp"

namespace postern::directory {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::optional<uint64_t> parse_quota(std::string_view text, std::string& error) {
  text = trim(text);
  if (text.empty() || iequals(text, "unlimited") || iequals(text, "none") || text == "0") return uint64_t{0};
  auto bytes = parse_byte_size(std::string(text));
  if (!bytes) {
    error = "invalid quota '" + std::string(text) + "' (use 2G, 500M or a number of bytes)";
    return std::nullopt;
  }
  return *bytes;
}

std::vector<std::string> split_aliases(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == ';' || c == ',') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

std::vector<UserFileEntry> parse_passwd_file(std::string_view text, std::string_view default_domain) {
  std::vector<UserFileEntry> out;
  size_t line_no = 0;
  for (auto raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || trim(line).front() == '#') continue;
    UserFileEntry e;
    e.line = line_no;
    auto fields = split(line, ':');
    // No accepted scheme uses ':' inside a hash, so splitting is exact.
    if (fields.size() < 2) {
      e.error = "expected user:password[:uid:gid:gecos:home:shell:extra]";
      out.push_back(std::move(e));
      continue;
    }
    ImportedUser u;
    u.line = line_no;
    u.address = std::string(trim(fields[0]));
    if (u.address.find('@') == std::string::npos) {
      if (default_domain.empty()) {
        e.error = "user '" + u.address + "' is not an address (give --domain to complete it)";
        out.push_back(std::move(e));
        continue;
      }
      u.address += "@" + std::string(default_domain);
    }
    u.password_hash = std::string(trim(fields[1]));
    if (u.password_hash.empty()) {
      e.error = "user " + u.address + " has no password hash";
      out.push_back(std::move(e));
      continue;
    }
    if (fields.size() >= 8) {
      // Extra fields may contain ':' themselves ("*:storage=1G"): rejoin.
      std::string extra(fields[7]);
      for (size_t i = 8; i < fields.size(); ++i) extra += ":" + std::string(fields[i]);
      for (auto f : split(extra, ' ')) {
        for (std::string_view key : {"userdb_quota_rule=*:storage=", "quota_rule=*:storage="}) {
          if (f.starts_with(key)) {
            std::string error;
            u.quota = parse_quota(f.substr(key.size()), error);
            if (!error.empty()) e.error = error;
          }
        }
      }
    }
    if (e.error.empty()) e.user = std::move(u);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string> parse_csv_record(std::string_view text, size_t& pos, bool& ok) {
  std::vector<std::string> fields;
  std::string cur;
  ok = true;
  bool quoted = false, was_quoted = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (quoted) {
      if (c == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          cur += '"';
          pos += 2;
          continue;
        }
        quoted = false;
        ++pos;
        continue;
      }
      cur += c;
      ++pos;
      continue;
    }
    if (c == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
      ++pos;
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(cur));
      cur.clear();
      was_quoted = false;
      ++pos;
      continue;
    }
    if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
    if (c == '\n' || c == '\r') {
      ++pos;
      fields.push_back(std::move(cur));
      return fields;
    }
    cur += c;
    ++pos;
  }
  if (quoted) ok = false;  // unterminated quote at the end of the input
  fields.push_back(std::move(cur));
  return fields;
}

Result<std::vector<UserFileEntry>> parse_user_csv(std::string_view text) {
  size_t pos = 0;
  bool ok = true;
  if (text.starts_with("\xEF\xBB\xBF")) pos = 3;  // spreadsheet programs write a BOM
  auto header = parse_csv_record(text, pos, ok);
  int col_address = -1, col_hash = -1, col_aliases = -1, col_quota = -1;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name = to_lower_ascii(trim(header[i]));
    if (name == "address") col_address = static_cast<int>(i);
    else if (name == "password_hash") col_hash = static_cast<int>(i);
    else if (name == "aliases") col_aliases = static_cast<int>(i);
    else if (name == "quota") col_quota = static_cast<int>(i);
  }
  if (col_address < 0 || col_hash < 0)
    return syntax_error("the first line must be a header naming the columns address and password_hash "
                        "(and optionally aliases, quota)");
  std::vector<UserFileEntry> out;
  size_t line_no = 1;
  while (pos < text.size()) {
    const size_t start = pos;
    auto fields = parse_csv_record(text, pos, ok);
    const size_t this_line = ++line_no;
    // Quoted fields may span lines: count them for the next record's number.
    for (size_t i = start; i < pos && i < text.size(); ++i)
      if (text[i] == '\n' && i + 1 < pos) ++line_no;
    bool blank = true;
    for (const auto& f : fields)
      if (!trim(f).empty()) blank = false;
    if (blank) continue;
    UserFileEntry e;
    e.line = this_line;
    if (!ok) {
      e.error = "unterminated quoted field";
      out.push_back(std::move(e));
      continue;
    }
    auto field = [&](int col) -> std::string {
      return col >= 0 && static_cast<size_t>(col) < fields.size() ? std::string(trim(fields[static_cast<size_t>(col)]))
                                                                   : std::string();
    };
    ImportedUser u;
    u.line = this_line;
    u.address = field(col_address);
    u.password_hash = field(col_hash);
    if (u.address.empty()) e.error = "empty address";
    else if (u.password_hash.empty()) e.error = "user " + u.address + " has no password hash";
    if (col_aliases >= 0) u.aliases = split_aliases(field(col_aliases));
    if (col_quota >= 0 && e.error.empty()) {
      std::string error;
      u.quota = parse_quota(field(col_quota), error);
      if (!error.empty()) e.error = error;
    }
    if (e.error.empty()) e.user = std::move(u);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace postern::directory
