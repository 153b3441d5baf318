// Canonical flag sets: normalization and set operations.
#include "store/flags.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace postern::store {
namespace {

constexpr std::string_view kSystemFlags[] = {"\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen"};

// System flags in their RFC spelling; keywords as given.
std::string normalize(std::string_view flag) {
  for (auto sys : kSystemFlags)
    if (iequals(flag, sys)) return std::string(sys);
  return std::string(flag);
}

bool less_ci(const std::string& a, const std::string& b) { return to_lower_ascii(a) < to_lower_ascii(b); }
bool equal_ci(const std::string& a, const std::string& b) { return iequals(a, b); }

}  // namespace

std::string canonical_flags(const std::vector<std::string>& flags) {
  std::vector<std::string> v;
  for (const auto& f : flags) {
    if (f.empty() || iequals(f, "\\Recent")) continue;
    v.push_back(normalize(f));
  }
  std::sort(v.begin(), v.end(), less_ci);
  v.erase(std::unique(v.begin(), v.end(), equal_ci), v.end());
  std::string out;
  for (const auto& f : v) {
    if (!out.empty()) out += ' ';
    out += f;
  }
  return out;
}

std::vector<std::string> split_flags(std::string_view canonical) {
  std::vector<std::string> out;
  for (auto part : split(canonical, ' '))
    if (!part.empty()) out.emplace_back(part);
  return out;
}

bool has_flag(std::string_view canonical, std::string_view flag) {
  for (auto part : split(canonical, ' '))
    if (iequals(part, flag)) return true;
  return false;
}

std::string apply_flags(std::string_view current, FlagOp op, const std::vector<std::string>& flags) {
  if (op == FlagOp::replace) return canonical_flags(flags);
  auto now = split_flags(current);
  if (op == FlagOp::add) {
    now.insert(now.end(), flags.begin(), flags.end());
    return canonical_flags(now);
  }
  std::vector<std::string> kept;
  for (const auto& f : now) {
    bool removed = std::any_of(flags.begin(), flags.end(), [&](const std::string& r) { return iequals(r, f); });
    if (!removed) kept.push_back(f);
  }
  return canonical_flags(kept);
}

}  // namespace postern::store
