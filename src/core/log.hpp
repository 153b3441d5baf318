// Structured logging: one line per event, `key=value` pairs, to stderr.
// Every line of a connection carries its session id (pass it as a field).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace postern::log {

enum class Level { debug, info, warn, error };

struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <class N, class = std::enable_if_t<std::is_arithmetic_v<N>>>
  Field(std::string_view k, N n) : key(k), value(std::to_string(n)) {}
};

void set_level(Level level);
bool parse_level(std::string_view text, Level& out);
bool enabled(Level level);

// Writes `ts=... level=... event=<event> k=v ...`; values with spaces,
// quotes or control characters are quoted and escaped so a line stays a line.
void write(Level level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view e, std::initializer_list<Field> f = {}) { if (enabled(Level::debug)) write(Level::debug, e, f); }
inline void info(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::info, e, f); }
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::warn, e, f); }
inline void error(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::error, e, f); }

}  // namespace postern::log
