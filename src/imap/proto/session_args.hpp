// Arguments of the session commands: LOGIN (RFC 9051 §6.2.3), AUTHENTICATE
// with SASL-IR (RFC 9051 §6.2.2, RFC 4959), ENABLE (RFC 5161 / RFC 9051
// §6.3.1), ID (RFC 2971). Parses untrusted input; credentials are returned
// as-is and never logged here.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {

struct LoginArgs {
  std::string user;
  std::string password;
};
// `args` follow "LOGIN": userid password (both astrings).
Result<LoginArgs> parse_login(std::span<const Node> args);

struct AuthenticateArgs {
  std::string mechanism;                       // upper-cased
  std::optional<std::string> initial_response; // base64 as sent; "=" means empty (RFC 4959 §3)
};
// `args` follow "AUTHENTICATE": mechanism [initial-response].
Result<AuthenticateArgs> parse_authenticate(std::span<const Node> args);

// `args` follow "ENABLE": 1*capability; returned upper-cased.
Result<std::vector<std::string>> parse_enable(std::span<const Node> args);

// `args` follow "ID": NIL or a list of field/value pairs (RFC 2971 §3.3:
// at most 30 pairs, field <= 30 octets, value <= 1024 octets, no duplicate
// fields). A NIL value is returned as nullopt.
using IdParams = std::vector<std::pair<std::string, std::optional<std::string>>>;
Result<IdParams> parse_id(std::span<const Node> args);

}  // namespace postern::imap
