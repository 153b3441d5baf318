// msg-id extraction (see msg_id.hpp).
#include "mime/msg_id.hpp"

namespace postern::mime {

namespace {

constexpr size_t kMaxIdLength = 998;  // RFC 5322 §2.1.1 line limit

// Calls `fn` with every msg-id token (blanks removed) in order, until it
// returns false.
template <class Fn>
void for_each_msg_id(std::string_view value, Fn&& fn) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t open = value.find('<', pos);
    if (open == std::string_view::npos) break;
    size_t close = value.find('>', open + 1);
    if (close == std::string_view::npos) break;
    // A "<" inside the token starts a new one (broken mailers): the token
    // starts at the last "<" before the ">". Found in one step: resyncing
    // on each inner "<" and searching for ">" again made "<<<<...>" cost
    // O(n²): a 1 MB References field of "<" took 7 s, 10 MB minutes.
    open = value.rfind('<', close);
    std::string_view token = value.substr(open, close - open + 1);
    // Blank (only folding white space inside, CR LF included) is skipped.
    bool blank = token.find_first_not_of("<> \t\r\n") == std::string_view::npos;
    if (!blank && token.size() <= kMaxIdLength) {
      std::string id;
      for (char c : token)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id += c;
      if (!fn(std::move(id))) return;
    }
    pos = close + 1;
  }
}

}  // namespace

std::vector<std::string> extract_msg_ids(std::string_view value, size_t max_ids) {
  std::vector<std::string> out;
  if (max_ids == 0) return out;
  for_each_msg_id(value, [&](std::string id) {
    // Only the last max_ids are kept: trimmed as we go so that a field of
    // millions of "<x>" does not hold millions of strings at once.
    if (out.size() / 2 >= max_ids) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_ids - 1));
    out.push_back(std::move(id));
    return true;
  });
  if (out.size() > max_ids) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_ids));
  return out;
}

std::string first_msg_id(std::string_view value) {
  std::string first;
  for_each_msg_id(value, [&](std::string id) {
    first = std::move(id);
    return false;
  });
  return first;
}

}  // namespace postern::mime
