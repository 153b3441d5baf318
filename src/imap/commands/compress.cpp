// COMPRESS DEFLATE (RFC 4978): after the tagged OK both directions are raw
// DEFLATE streams; the adapter (net/) does the compressing. Offered after
// login, since compressing before authentication only helps attackers.
#include "core/strings.hpp"
#include "imap/commands/command_table.hpp"

namespace postern::imap {

Task<void> cmd_compress(SessionContext& s, Command& c) {
  std::optional<std::string_view> mech;
  if (c.args.size() == 1) mech = as_astring(c.args[0]);
  if (!mech) {
    s.bad(c.tag, "COMPRESS needs one mechanism (DEFLATE)");
    co_return;
  }
  if (!iequals(*mech, "DEFLATE")) {
    s.bad(c.tag, "Unknown compression mechanism; only DEFLATE is supported");
    co_return;
  }
  if (s.compress_active) {
    s.no(c.tag, "Compression is already active", "COMPRESSIONACTIVE");
    co_return;
  }
  s.ok(c.tag, "DEFLATE active");
  s.compress_pending = true;
}

}  // namespace postern::imap
