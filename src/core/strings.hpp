// Small string helpers shared by every module: ASCII case folding, trimming,
// UTF-8 validation, hex. No locale is ever consulted (mail is ASCII-cased).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
std::string to_lower_ascii(std::string_view s);
std::string to_upper_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);
bool is_ascii(std::string_view s);

std::string to_hex(const unsigned char* data, size_t size);
inline std::string to_hex(std::string_view s) {
  return to_hex(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

// Compares in time independent of where the inputs differ (secrets, MACs).
bool constant_time_equals(std::string_view a, std::string_view b);

std::vector<std::string_view> split(std::string_view s, char sep);

// "1048576", "512K", "100M", "2G", "1T" (binary multiples, case-insensitive,
// optional trailing "B"/"iB") -> octets; nullopt when malformed or > 2^62.
std::optional<uint64_t> parse_byte_size(std::string_view s);
// Octets for people: "512 B", "1.5 KiB", "2.0 GiB".
std::string format_byte_size(uint64_t bytes);

}  // namespace postern
