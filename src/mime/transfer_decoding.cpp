// Transfer decoding (see transfer_decoding.hpp).
#include "mime/transfer_decoding.hpp"

#include "mime/encoded_words.hpp"

namespace postern::mime {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;  // lower case: invalid but common
  return -1;
}

// Base64 over whole bodies: the lenient decoder stops at '=', which in a
// body can only be padding, so lines after it are not lost.
std::string decode_base64_body(std::string_view body) {
  std::string out;
  size_t start = 0;
  while (start < body.size()) {
    size_t pad = body.find('=', start);
    std::string_view chunk = body.substr(start, pad == std::string_view::npos ? std::string_view::npos : pad - start);
    out += decode_base64_lenient(chunk);
    if (pad == std::string_view::npos) break;
    start = body.find_first_not_of("= \t\r\n", pad);
    if (start == std::string_view::npos) break;
  }
  return out;
}
}  // namespace

std::optional<TransferEncoding> parse_transfer_encoding(std::string_view e) {
  if (e.empty() || e == "7bit" || e == "8bit" || e == "binary") return TransferEncoding::identity;
  if (e == "base64") return TransferEncoding::base64;
  if (e == "quoted-printable") return TransferEncoding::quoted_printable;
  return std::nullopt;
}

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t line_start = 0;
  while (line_start <= in.size()) {
    size_t eol = in.find('\n', line_start);
    bool last = eol == std::string_view::npos;
    std::string_view line = in.substr(line_start, last ? std::string_view::npos : eol - line_start);
    bool had_cr = !line.empty() && line.back() == '\r';
    if (had_cr) line.remove_suffix(1);
    // Transport padding (RFC 2045 §6.7 rule 3).
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft = !line.empty() && line.back() == '=';
    if (soft) line.remove_suffix(1);
    // Runs without "=" are copied whole (SEARCH decodes every QP body).
    for (size_t i = 0; i < line.size();) {
      size_t eq = line.find('=', i);
      if (eq == std::string_view::npos) {
        out.append(line.substr(i));
        break;
      }
      out.append(line.substr(i, eq - i));
      i = eq;
      int hi = i + 1 < line.size() ? hex_value(line[i + 1]) : -1;
      int lo = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 3;
      } else {
        out += '=';
        ++i;
      }
    }
    if (last) break;
    if (!soft) out += "\r\n";
    line_start = eol + 1;
  }
  return out;
}

std::string decode_transfer_encoding(std::string_view body, TransferEncoding encoding) {
  switch (encoding) {
    case TransferEncoding::base64: return decode_base64_body(body);
    case TransferEncoding::quoted_printable: return decode_quoted_printable(body);
    case TransferEncoding::identity: break;
  }
  return std::string(body);
}

}  // namespace postern::mime
