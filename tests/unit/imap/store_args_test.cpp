// STORE arguments and flags (RFC 9051 §6.4.6, §2.3.2; RFC 7162 §3.1.3).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "args_harness.hpp"
#include "imap/proto/flags.hpp"
#include "imap/proto/store_args.hpp"

namespace postern::imap {
namespace {

using testing::cmd;

std::string render(const std::string& line) {
  auto c = cmd(line);
  auto s = parse_store(c.args);
  if (!s) return "ERR " + s.error().message;
  std::string out = s->mode == StoreMode::add ? "+" : s->mode == StoreMode::remove ? "-" : "=";
  if (s->silent) out += "silent";
  if (s->unchanged_since) out += " unchangedsince=" + std::to_string(*s->unchanged_since);
  for (const auto& f : s->flags) out += " " + f;
  return out;
}

TEST(StoreArgs, Table) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"t STORE 1 FLAGS (\\Seen)", "= \\Seen"},
      {"t STORE 1:3 +FLAGS.SILENT (\\seen \\DELETED $Junk)", "+silent \\Seen \\Deleted $Junk"},
      {"t STORE 1 -flags \\Flagged \\Draft", "- \\Flagged \\Draft"},  // flags without parentheses
      {"t STORE 1 FLAGS ()", "="},                                      // clears all flags
      {"t STORE 1 +FLAGS (\\Seen \\SEEN)", "+ \\Seen"},                 // duplicates dropped
      {"t STORE 1 +FLAGS (a A)", "+ a"},                                // keywords case-insensitive
      {"t STORE 1 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)", "+silent unchangedsince=320162338 \\Deleted"},
      {"t STORE 1 (UNCHANGEDSINCE 0) FLAGS (a)", "= unchangedsince=0 a"},  // RFC 7162: valzer allows 0
      {"t STORE 1 (FOO 1) FLAGS (a)", "ERR unknown STORE modifier"},
      {"t STORE 1 FLAGS (\\Recent)", "ERR \\Recent cannot be set by the client"},  // RFC 3501 §2.3.2
      {"t STORE 1 FLAGS (\\Foo)", "ERR unknown system flag \\Foo"},
      {"t STORE 1 FLAGS (\\*)", "ERR unknown system flag \\*"},
      {"t STORE 1 FLAGS (a]b)", "ERR invalid character in keyword"},
      {"t STORE 1 FLAGS (\"a\")", "ERR invalid flag (expected an atom)"},
      {"t STORE 1 LABELS (a)", "ERR invalid STORE data item (expected [+|-]FLAGS[.SILENT])"},
      {"t STORE 1 FLAGS (a) (b)", "ERR unexpected argument after the flag list"},
      {"t STORE 1 FLAGS", "ERR STORE needs a sequence set, a data item and flags"},
      {"t STORE $ FLAGS (a)", "= a"},  // RFC 5182 SEARCHRES
  };
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(in);
    EXPECT_EQ(render(in), want);
  }
}

TEST(Flags, ParseFlag) {
  EXPECT_EQ(*parse_flag("\\answered"), "\\Answered");
  EXPECT_EQ(*parse_flag("$Forwarded"), "$Forwarded");
  EXPECT_FALSE(parse_flag("").ok());
  EXPECT_FALSE(parse_flag(std::string(129, 'k')).ok());
  EXPECT_TRUE(is_system_flag("\\Seen"));
  EXPECT_FALSE(is_system_flag("$Seen"));
}

}  // namespace
}  // namespace postern::imap
