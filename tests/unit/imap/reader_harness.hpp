// Test helper: feeds a CommandReader and renders every event as one string,
// so tests can compare event streams from whole-buffer and byte-at-a-time
// feeding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/command_reader.hpp"

namespace postern::imap::testing {

// "+" for a continuation request, "CMD <debug>" for a command,
// "ERR <tag> <BAD|NO>[ TOOBIG][ CLOSE] <message>" for an error.
inline std::string render(const ReaderEvent& ev) {
  if (std::holds_alternative<ContinuationRequest>(ev)) return "+";
  if (const auto* c = std::get_if<Command>(&ev)) return "CMD " + to_debug_string(*c);
  if (const auto* e = std::get_if<ReaderError>(&ev)) {
    std::string s = "ERR " + e->tag + (e->error.kind == ErrorKind::user ? " NO" : " BAD");
    if (e->code == ReaderCode::too_big) s += " TOOBIG";
    if (e->close) s += " CLOSE";
    return s + " " + e->error.message;
  }
  return "NEED";
}

inline void drain(CommandReader& r, std::vector<std::string>& out) {
  for (;;) {
    auto ev = r.next();
    if (std::holds_alternative<NeedMore>(ev)) return;
    out.push_back(render(ev));
  }
}

// Feeds `input` in chunks of `chunk` octets (0 = all at once), draining after each.
inline std::vector<std::string> run(std::string_view input, size_t chunk = 0, ReaderLimits limits = {}) {
  CommandReader r(limits);
  std::vector<std::string> out;
  if (chunk == 0) chunk = input.size() ? input.size() : 1;
  for (size_t i = 0; i < input.size(); i += chunk) {
    r.feed(input.substr(i, chunk));
    drain(r, out);
  }
  return out;
}

}  // namespace postern::imap::testing
