// RFC 6376 §5 signer: header selection, hashing, field assembly and folding.
#include "mailauth/dkim_sign.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "mailauth/base64.hpp"
#include "mailauth/dkim_hash.hpp"
#include "mailauth/dkim_signature.hpp"
#include "mime/header.hpp"

namespace postern::mailauth {
namespace {

std::vector<std::string> header_list(const mime::HeaderSection& headers) {
  std::vector<std::string> names;
  for (std::string_view name : kSignedHeaders) {
    size_t count = static_cast<size_t>(std::count_if(headers.fields.begin(), headers.fields.end(),
                                                     [&](const auto& f) { return iequals(f.name, name); }));
    if (std::find(std::begin(kOversignedHeaders), std::end(kOversignedHeaders), name) != std::end(kOversignedHeaders))
      ++count;
    for (size_t i = 0; i < count; ++i) names.emplace_back(name);
  }
  return names;
}

// Builds a folded header field: tokens are appended with a space (or with
// nothing, inside a value), and a line that would pass the limit is broken
// with CRLF TAB first. The TAB counts as 8 columns, as mail readers show it.
class Folder {
 public:
  explicit Folder(std::string_view start) : out_(start), column_(start.size()) {}
  void add(std::string_view token, bool space_before) {
    size_t need = token.size() + (space_before ? 1 : 0);
    if (column_ + need > kMaxSignatureLine && column_ > kContinuationColumn) {
      out_ += "\r\n\t";
      column_ = kContinuationColumn;
    } else if (space_before) {
      out_ += ' ';
      ++column_;
    }
    out_ += token;
    column_ += token.size();
  }
  // Appends `text` in pieces that fill the current line, then whole lines.
  void add_breakable(std::string_view text) {
    while (!text.empty()) {
      size_t room = column_ < kMaxSignatureLine ? kMaxSignatureLine - column_ : 0;
      if (room == 0) {
        out_ += "\r\n\t";
        column_ = kContinuationColumn;
        continue;
      }
      size_t n = std::min(room, text.size());
      out_ += text.substr(0, n);
      column_ += n;
      text.remove_prefix(n);
    }
  }
  const std::string& str() const { return out_; }

 private:
  static constexpr size_t kContinuationColumn = 8;
  std::string out_;
  size_t column_;
};

}  // namespace

std::vector<std::string> signed_header_list(std::string_view message) {
  return header_list(mime::parse_header_section(message));
}

Result<std::string> dkim_sign(std::string_view message, const PrivateKey& key, const SignOptions& options) {
  auto headers = mime::parse_header_section(message);
  if (!mime::find_field(headers, "From")) return user_error("cannot DKIM-sign a message without a From header field");
  auto names = header_list(headers);
  auto bh = body_hash(message.substr(headers.body_offset), Canon::relaxed);
  if (!bh) return bh.error();

  // The field up to "b=": this exact text is what the signature covers.
  std::string prefix = std::string(kDkimSignatureField) + ":";
  Folder f(prefix);
  f.add("v=1;", true);
  f.add("a=" + std::string(algorithm_name(key.type())) + ";", true);
  f.add("c=relaxed/relaxed;", true);
  f.add("d=" + options.domain + ";", true);
  f.add("s=" + options.selector + ";", true);
  f.add("t=" + std::to_string(options.timestamp) + ";", true);
  for (size_t i = 0; i < names.size(); ++i)
    f.add((i == 0 ? "h=" : "") + names[i] + (i + 1 < names.size() ? ":" : ";"), i == 0);
  f.add("bh=" + base64_encode(*bh) + ";", true);
  f.add("b=", true);
  std::string unsigned_field = f.str();

  auto selected = select_headers(headers, names);
  std::string_view value = std::string_view(unsigned_field).substr(prefix.size());
  auto signature = key.sign(header_hash_input(selected, Canon::relaxed, kDkimSignatureField, value));
  if (!signature) return signature.error();
  f.add_breakable(base64_encode(*signature));
  return f.str() + "\r\n";
}

}  // namespace postern::mailauth
