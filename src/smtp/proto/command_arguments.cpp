// MAIL/RCPT path and parameter grammar (RFC 5321 §4.1.2) and BDAT arguments.
#include "smtp/proto/command_arguments.hpp"

#include <limits>
#include <string>
#include <vector>

#include "core/strings.hpp"

namespace postern::smtp {
namespace {

Reply syntax(std::string text) { return Reply{501, "5.5.4", std::move(text)}; }
Reply unsupported_param(std::string_view keyword) {
  return Reply{555, "5.5.4", "Unsupported parameter " + std::string(keyword)};
}

struct SplitPath {
  std::string_view path;    // between the angle brackets
  std::string_view params;  // after the closing bracket, trimmed
};

// "KEYWORD:<path> params" → path and params. The closing '>' is searched
// outside quoted strings, so <"a>b"@example.org> is one path.
std::optional<SplitPath> split_path(std::string_view argument, std::string_view keyword) {
  if (!istarts_with(argument, keyword)) return std::nullopt;
  std::string_view rest = argument.substr(keyword.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '<') return std::nullopt;
  bool quoted = false;
  for (size_t i = 1; i < rest.size(); ++i) {
    char c = rest[i];
    if (quoted && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '<') return std::nullopt;
    if (!quoted && c == '>') {
      std::string_view after = rest.substr(i + 1);
      if (!after.empty() && after.front() != ' ') return std::nullopt;
      return SplitPath{rest.substr(1, i - 1), trim(after)};
    }
  }
  return std::nullopt;
}

// Strips an A-d-l source route ("@a,@b:") after checking its domains;
// RFC 5321 Appendix C: accepted, then ignored.
std::optional<std::string_view> strip_source_route(std::string_view path) {
  if (path.empty() || path.front() != '@') return path;
  size_t colon = path.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  for (auto hop : split(path.substr(0, colon), ',')) {
    if (hop.size() < 2 || hop.front() != '@') return std::nullopt;
    if (!parse_domain(hop.substr(1), true)) return std::nullopt;
  }
  return path.substr(colon + 1);
}

// Parses a Mailbox; `bad_syntax` is the reply for a malformed one.
ReplyOr<EmailAddress> parse_mailbox(std::string_view mailbox, bool smtputf8, const Reply& bad_syntax) {
  auto parsed = parse_email_address(mailbox, AddressOptions{.allow_utf8 = smtputf8});
  if (parsed) return std::move(parsed).value();
  if (!smtputf8 && !is_ascii(mailbox) && parse_email_address(mailbox, AddressOptions{.allow_utf8 = true}))
    return Reply{553, "5.6.7", "SMTPUTF8 required for a non-ASCII address"};  // RFC 6531 §3.4
  Reply r = bad_syntax;
  r.text += ": " + parsed.error().message;
  return r;
}

bool is_keyword_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531 §3.3).
bool valid_value(std::string_view value) {
  if (value.empty()) return false;
  for (unsigned char c : value) {
    if (c < 33 || c == '=' || c == 127) return false;
  }
  return true;
}

// SIZE value: 1*20DIGIT; saturates instead of overflowing.
std::optional<uint64_t> parse_decimal(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  uint64_t n = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    unsigned d = static_cast<unsigned>(c - '0');
    n = (n > (kMax - d) / 10) ? kMax : n * 10 + d;
  }
  return n;
}

std::optional<Reply> apply_mail_param(MailFrom& mail, std::string_view keyword,
                                      std::optional<std::string_view> value) {
  if (iequals(keyword, "SIZE")) {
    // RFC 1870 §6: size-value ::= 1*20DIGIT
    auto n = value ? parse_decimal(*value, 20) : std::nullopt;
    if (!n || mail.size) return syntax("Bad SIZE parameter");
    mail.size = *n;
    return std::nullopt;
  }
  if (iequals(keyword, "BODY")) {
    if (!value || mail.body != BodyType::unspecified) return syntax("Bad BODY parameter");
    if (iequals(*value, "7BIT")) mail.body = BodyType::seven_bit;
    else if (iequals(*value, "8BITMIME")) mail.body = BodyType::eight_bit_mime;
    else if (iequals(*value, "BINARYMIME")) mail.body = BodyType::binary_mime;
    else return syntax("Bad BODY parameter (7BIT, 8BITMIME or BINARYMIME)");
    return std::nullopt;
  }
  if (iequals(keyword, "SMTPUTF8")) {
    // RFC 6531 §3.4: the parameter has no value.
    if (value || mail.smtputf8) return syntax("Bad SMTPUTF8 parameter");
    mail.smtputf8 = true;
    return std::nullopt;
  }
  return unsupported_param(keyword);
}

struct Param {
  std::string_view keyword;
  std::optional<std::string_view> value;
};

// esmtp-param = esmtp-keyword ["=" esmtp-value], separated by SP.
ReplyOr<std::vector<Param>> split_params(std::string_view text) {
  std::vector<Param> out;
  for (auto token : split(text, ' ')) {
    if (token.empty()) continue;  // tolerate repeated spaces
    size_t eq = token.find('=');
    std::string_view keyword = token.substr(0, eq);
    if (keyword.empty() || !is_keyword_char(keyword.front())) return syntax("Bad parameter syntax");
    for (char c : keyword)
      if (!is_keyword_char(c)) return syntax("Bad parameter syntax");
    Param p{keyword, std::nullopt};
    if (eq != std::string_view::npos) {
      p.value = token.substr(eq + 1);
      if (!valid_value(*p.value)) return syntax("Bad parameter value for " + std::string(keyword));
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace

ReplyOr<MailFrom> parse_mail_from(std::string_view argument, bool esmtp) {
  auto split_result = split_path(argument, "FROM:");
  if (!split_result) return syntax("Syntax: MAIL FROM:<address>");
  MailFrom mail;
  auto params = split_params(split_result->params);
  if (!params) return params.reply();
  if (!esmtp && !params->empty()) return unsupported_param(params->front().keyword);
  for (const auto& p : *params) {
    if (auto error = apply_mail_param(mail, p.keyword, p.value)) return *error;
  }
  if (split_result->path.empty()) return mail;  // null reverse-path (RFC 5321 §4.5.5)
  auto mailbox = strip_source_route(split_result->path);
  if (!mailbox) return Reply{501, "5.1.7", "Bad sender address syntax"};
  auto sender = parse_mailbox(*mailbox, mail.smtputf8, Reply{501, "5.1.7", "Bad sender address syntax"});
  if (!sender) return sender.reply();
  mail.sender = std::move(sender.value());
  return mail;
}

ReplyOr<RcptTo> parse_rcpt_to(std::string_view argument, bool smtputf8, std::string_view postmaster_domain) {
  auto split_result = split_path(argument, "TO:");
  if (!split_result) return syntax("Syntax: RCPT TO:<address>");
  auto params = split_params(split_result->params);
  if (!params) return params.reply();
  if (!params->empty()) return unsupported_param(params->front().keyword);
  // RFC 5321 §4.1.1.3: "Postmaster" without a domain, case-insensitive.
  if (iequals(split_result->path, "postmaster"))
    return RcptTo{EmailAddress{"postmaster", to_lower_ascii(postmaster_domain)}, true};
  if (split_result->path.empty()) return Reply{501, "5.1.3", "Bad recipient address syntax: empty"};
  auto mailbox = strip_source_route(split_result->path);
  if (!mailbox) return Reply{501, "5.1.3", "Bad recipient address syntax"};
  auto recipient = parse_mailbox(*mailbox, smtputf8, Reply{501, "5.1.3", "Bad recipient address syntax"});
  if (!recipient) return recipient.reply();
  return RcptTo{std::move(recipient.value()), false};
}

ReplyOr<BdatArguments> parse_bdat(std::string_view argument) {
  // RFC 3030 §2: bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CRLF
  size_t space = argument.find(' ');
  std::string_view size_text = argument.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view{} : trim(argument.substr(space));
  // 19 digits always fit in uint64_t; larger chunks are refused rather than saturated.
  auto size = parse_decimal(size_text, 19);
  if (!size) return syntax("Syntax: BDAT <size> [LAST]");
  BdatArguments out{*size, false};
  if (!rest.empty()) {
    if (!iequals(rest, "LAST")) return syntax("Syntax: BDAT <size> [LAST]");
    out.last = true;
  }
  return out;
}

}  // namespace postern::smtp
