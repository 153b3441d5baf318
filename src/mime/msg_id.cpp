// msg-id extraction (see msg_id.hpp).
#include "mime/msg_id.hpp"

namespace postern::mime {

namespace {
constexpr size_t kMaxIdLength = 998;  // RFC 5322 §2.1.1 line limit
}

std::vector<std::string> extract_msg_ids(std::string_view value, size_t max_ids) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t open = value.find('<', pos);
    if (open == std::string_view::npos) break;
    size_t close = value.find('>', open + 1);
    if (close == std::string_view::npos) break;
    // A "<" inside the token starts a new one (broken mailers): resync on it.
    size_t inner = value.find('<', open + 1);
    if (inner != std::string_view::npos && inner < close) {
      pos = inner;
      continue;
    }
    std::string_view token = value.substr(open, close - open + 1);
    bool blank = token.find_first_not_of("<> \t") == std::string_view::npos;
    if (!blank && token.size() <= kMaxIdLength) {
      std::string id;
      for (char c : token)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id += c;
      out.push_back(std::move(id));
    }
    pos = close + 1;
  }
  if (out.size() > max_ids) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_ids));
  return out;
}

std::string first_msg_id(std::string_view value) {
  auto ids = extract_msg_ids(value, SIZE_MAX);
  return ids.empty() ? std::string() : std::move(ids.front());
}

}  // namespace postern::mime
