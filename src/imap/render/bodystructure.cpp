// BODY / BODYSTRUCTURE: one recursive writer for both forms.
#include "imap/render/bodystructure.hpp"

#include "imap/render/envelope.hpp"
#include "imap/render/imap_string.hpp"

namespace postern::imap {
namespace {

using render_detail::append_nstring;
using render_detail::append_string;

// What Dovecot writes in place of a body that is missing from the structure.
constexpr std::string_view kEmptyBody = R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))";

// body-fld-param: NIL or "(" string SP string *(SP string SP string) ")".
void append_params(std::string& out, const mime::Params& params, const WriterOptions& o) {
  if (params.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  bool first = true;
  for (const auto& p : params) {
    if (!first) out += ' ';
    first = false;
    append_string(out, p.name, o);
    out += ' ';
    append_string(out, p.value, o);
  }
  out += ')';
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc: the extension fields
// common to both part kinds (RFC 9051 §9 body-ext-1part, body-ext-mpart).
void append_dsp_lang_loc(std::string& out, const mime::Part& p, const WriterOptions& o) {
  out += ' ';
  if (p.disposition) {
    out += '(';
    append_string(out, p.disposition->type, o);
    out += ' ';
    append_params(out, p.disposition->params, o);
    out += ')';
  } else {
    out += "NIL";
  }
  out += ' ';
  if (p.language.empty()) {
    out += "NIL";
  } else {
    out += '(';
    for (size_t k = 0; k < p.language.size(); ++k) {
      if (k) out += ' ';
      append_string(out, p.language[k], o);
    }
    out += ')';
  }
  out += ' ';
  append_nstring(out, p.location, o);
}

void append_part(std::string& out, const mime::Part& p, bool ext, const WriterOptions& o) {
  out += '(';
  if (p.is_multipart()) {
    // body-type-mpart = 1*body SP media-subtype: children back to back.
    if (p.children.empty()) out += kEmptyBody;
    for (const auto& c : p.children) append_part(out, c, ext, o);
    out += ' ';
    append_string(out, p.subtype, o);
    if (ext) {
      out += ' ';
      append_params(out, p.params, o);
      append_dsp_lang_loc(out, p, o);
    }
    out += ')';
    return;
  }
  // body-type-1part: media type, body-fields, then per-type fields.
  append_string(out, p.type, o);
  out += ' ';
  append_string(out, p.subtype, o);
  out += ' ';
  append_params(out, p.params, o);
  out += ' ';
  append_nstring(out, p.id, o);
  out += ' ';
  append_nstring(out, p.description, o);
  out += ' ';
  append_string(out, p.encoding, o);
  out += ' ';
  out += std::to_string(p.body_size);
  if (p.is_message()) {
    // body-type-msg: envelope SP body SP body-fld-lines.
    out += ' ';
    append_envelope(out, p.envelope ? *p.envelope : mime::Envelope{}, o);
    out += ' ';
    if (p.children.empty()) out += kEmptyBody;
    else append_part(out, p.children.front(), ext, o);
    out += ' ';
    out += std::to_string(p.body_lines);
  } else if (p.is_text()) {
    out += ' ';  // body-type-text: body-fld-lines
    out += std::to_string(p.body_lines);
  }
  if (ext) {
    out += ' ';
    append_nstring(out, p.md5, o);
    append_dsp_lang_loc(out, p, o);
  }
  out += ')';
}

}  // namespace

void append_bodystructure(std::string& out, const mime::Part& part, bool extended, const WriterOptions& options) {
  append_part(out, part, extended, options);
}

std::string render_bodystructure(const mime::Part& part, bool extended, const WriterOptions& options) {
  std::string out;
  append_part(out, part, extended, options);
  return out;
}

}  // namespace postern::imap
