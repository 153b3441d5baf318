// LOGIN, AUTHENTICATE, ENABLE and ID argument parsers.
#include "imap/proto/session_args.hpp"

#include "core/strings.hpp"

namespace postern::imap {

Result<LoginArgs> parse_login(std::span<const Node> args) {
  if (args.size() != 2) return syntax_error("LOGIN needs a user name and a password");
  auto user = as_astring(args[0]);
  auto pass = as_astring(args[1]);
  if (!user || !pass) return syntax_error("invalid LOGIN arguments");
  return LoginArgs{std::string(*user), std::string(*pass)};
}

Result<AuthenticateArgs> parse_authenticate(std::span<const Node> args) {
  if (args.empty() || args.size() > 2) return syntax_error("AUTHENTICATE needs a mechanism name");
  auto mech = atom_upper(args[0]);
  if (!mech || mech->size() > 20) return syntax_error("invalid SASL mechanism name");
  for (char c : *mech) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return syntax_error("invalid SASL mechanism name");
  }
  AuthenticateArgs out{std::move(*mech), std::nullopt};
  if (args.size() == 2) {
    // RFC 4959 §3: initial-response = base64 / "="; sent as an atom.
    const Node& ir = args[1];
    if (ir.kind != NodeKind::atom && ir.kind != NodeKind::number) return syntax_error("invalid SASL initial response");
    for (char c : ir.text) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
                c == '=';
      if (!ok) return syntax_error("invalid SASL initial response");
    }
    out.initial_response = ir.text;
  }
  return out;
}

Result<std::vector<std::string>> parse_enable(std::span<const Node> args) {
  if (args.empty()) return syntax_error("ENABLE needs at least one capability");
  std::vector<std::string> caps;
  for (const auto& a : args) {
    auto c = atom_upper(a);
    if (!c || c->size() > 64) return syntax_error("invalid capability name");
    for (char ch : *c) {
      if (!is_atom_char(ch)) return syntax_error("invalid capability name");
    }
    caps.push_back(std::move(*c));
  }
  return caps;
}

Result<IdParams> parse_id(std::span<const Node> args) {
  if (args.size() != 1) return syntax_error("ID needs NIL or a parameter list");
  IdParams out;
  if (args[0].kind == NodeKind::nil) return out;
  if (args[0].kind != NodeKind::list) return syntax_error("ID needs NIL or a parameter list");
  const auto& c = args[0].children;
  if (c.size() % 2 != 0) return syntax_error("ID parameters must be field/value pairs");
  if (c.size() / 2 > 30) return syntax_error("too many ID fields (max 30)");
  for (size_t i = 0; i < c.size(); i += 2) {
    auto field = as_string(c[i]);
    if (!field || field->size() > 30) return syntax_error("invalid ID field name");
    for (const auto& [have, v] : out) {
      if (iequals(have, *field)) return syntax_error("duplicate ID field");
    }
    std::optional<std::string> value;
    if (c[i + 1].kind != NodeKind::nil) {
      auto v = as_string(c[i + 1]);
      if (!v || v->size() > 1024) return syntax_error("invalid ID value");
      value = std::string(*v);
    }
    out.emplace_back(std::string(*field), std::move(value));
  }
  return out;
}

}  // namespace postern::imap
