// Fuzzes the IMAP command reader with arbitrary bytes split at fuzzer-chosen
// points, then runs every typed argument parser on each command that comes
// out. Nothing may crash; the reader must produce the same events whatever
// the fragmentation (checked against whole-buffer feeding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/command_reader.hpp"
#include "imap/proto/fetch_args.hpp"
#include "imap/proto/list_args.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/mutf7.hpp"
#include "imap/proto/response_writer.hpp"
#include "imap/proto/search_args.hpp"
#include "imap/proto/session_args.hpp"
#include "imap/proto/status_args.hpp"
#include "imap/proto/store_args.hpp"

using namespace postern::imap;

namespace {

void exercise(const Command& c) {
  std::span<const Node> a = c.args;
  (void)parse_fetch(a, c.uid);
  (void)parse_store(a);
  (void)parse_search(a);
  (void)parse_sort(a);
  (void)parse_thread(a);
  (void)parse_list(a);
  (void)parse_lsub(a);
  (void)parse_status(a);
  (void)parse_select(a);
  (void)parse_append(a, 8);
  (void)parse_copy(a);
  (void)parse_rename(a);
  (void)parse_single_mailbox(a);
  (void)parse_login(a);
  (void)parse_authenticate(a);
  (void)parse_enable(a);
  (void)parse_id(a);
  for (const auto& n : a) {
    if (auto s = as_astring(n)) {
      auto m = mailbox_from_wire(*s, false);
      if (m) (void)mailbox_to_wire(*m, false);
      (void)mailbox_from_wire(*s, true);
      std::string out;
      ResponseBuilder(out).astring(*s).string(*s).binary(*s);
    }
    if (auto set = parse_sequence_set(n); set && !set->saved) (void)set->resolve(1000);
  }
}

std::string render(const ReaderEvent& ev) {
  if (std::holds_alternative<ContinuationRequest>(ev)) return "+";
  if (const auto* c = std::get_if<Command>(&ev)) return "C" + to_debug_string(*c);
  if (const auto* e = std::get_if<ReaderError>(&ev)) return "E" + e->tag + e->error.message + (e->close ? "!" : "");
  return "";
}

std::vector<std::string> run(std::string_view input, const std::vector<size_t>& cuts, const ReaderLimits& limits,
                             bool parse_args) {
  CommandReader r(limits);
  std::vector<std::string> out;
  size_t prev = 0;
  auto drain = [&] {
    for (;;) {
      auto ev = r.next();
      if (std::holds_alternative<NeedMore>(ev)) return;
      if (parse_args) {
        if (const auto* c = std::get_if<Command>(&ev)) exercise(*c);
      }
      out.push_back(render(ev));
    }
  };
  for (size_t cut : cuts) {
    r.feed(input.substr(prev, cut - prev));
    drain();
    prev = cut;
  }
  r.feed(input.substr(prev));
  drain();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // First byte: reader mode; second: fragmentation seed. Small limits so the
  // limit paths are reached by short inputs.
  ReaderLimits limits;
  limits.literal_mode = static_cast<LiteralMode>(data[0] % 3);
  limits.binary = (data[0] & 4) != 0;
  limits.max_line = (data[0] & 8) ? 64 : 4096;
  limits.max_literal = (data[0] & 16) ? 16 : 100000;
  limits.max_command = (data[0] & 32) ? 128 : 200000;
  limits.max_discard = 300;
  limits.parse.max_depth = 8;
  uint32_t seed = data[1];
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<size_t> cuts;
  for (size_t pos = 0;;) {
    seed = seed * 1103515245u + 12345u;
    pos += 1 + (seed >> 16) % 17;
    if (pos >= input.size()) break;
    cuts.push_back(pos);
  }
  auto fragmented = run(input, cuts, limits, true);
  auto whole = run(input, {}, limits, false);
  if (fragmented != whole) std::abort();  // framing must not depend on fragmentation
  return 0;
}
