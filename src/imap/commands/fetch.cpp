// FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2; MODSEQ and CHANGEDSINCE
// RFC 7162 §3.1.4). Served: FLAGS, UID, INTERNALDATE, RFC822.SIZE, MODSEQ,
// ENVELOPE, BODY, BODYSTRUCTURE (from the structure cached at delivery),
// BODY[section]<partial> for every section form, RFC822, RFC822.HEADER and
// RFC822.TEXT, BINARY[part]<partial> and BINARY.SIZE (RFC 3516), EMAILID and
// THREADID (RFC 8474). SAVEDATE: NO [CANNOT].
#include <algorithm>
#include <map>

#include "imap/commands/command_table.hpp"
#include "imap/proto/datetime.hpp"
#include "imap/proto/fetch_args.hpp"
#include "imap/render/bodystructure.hpp"
#include "imap/render/envelope.hpp"
#include "imap/render/section.hpp"
#include "imap/session/object_ids.hpp"
#include "mime/structure_codec.hpp"
#include "mime/transfer_decoding.hpp"
#include "store/flags.hpp"

namespace postern::imap {

namespace {

bool needs_data(const FetchItem& i) {
  switch (i.attr) {
    case FetchAttr::internaldate:
    case FetchAttr::rfc822_size:
    case FetchAttr::rfc822:
    case FetchAttr::rfc822_header:
    case FetchAttr::rfc822_text:
    case FetchAttr::envelope:
    case FetchAttr::body:
    case FetchAttr::bodystructure:
    case FetchAttr::body_section:
    case FetchAttr::binary:
    case FetchAttr::binary_size:
    case FetchAttr::emailid:
    case FetchAttr::threadid: return true;
    default: return false;
  }
}

bool needs_structure(const FetchItem& i) {
  if (i.attr == FetchAttr::binary || i.attr == FetchAttr::binary_size) return !i.section.part.empty();
  return i.attr == FetchAttr::envelope || i.attr == FetchAttr::body || i.attr == FetchAttr::bodystructure ||
         (i.attr == FetchAttr::body_section && (!i.section.part.empty() || (i.section.text != SectionText::none &&
                                                                            i.section.text != SectionText::header &&
                                                                            i.section.text != SectionText::text)));
}

bool needs_blob(const FetchItem& i) {
  return i.attr == FetchAttr::rfc822 || i.attr == FetchAttr::rfc822_header || i.attr == FetchAttr::rfc822_text ||
         i.attr == FetchAttr::body_section || i.attr == FetchAttr::binary || i.attr == FetchAttr::binary_size;
}

// The top-level header (with its blank line) or text of a message
// (RFC 9051 §6.4.5 HEADER / TEXT). Finding the first empty line is all
// the structure needed for the top level.
std::string_view top_level(std::string_view msg, SectionText part) {
  size_t end = msg.find("\r\n\r\n");
  size_t cut = end == std::string_view::npos ? msg.size() : end + 4;
  if (end == std::string_view::npos && msg.starts_with("\r\n")) cut = 2;
  return part == SectionText::header ? msg.substr(0, cut) : msg.substr(cut);
}

// BINARY[part] content (RFC 3516 §4.2, RFC 9051 §6.4.5): the part's body
// with its Content-Transfer-Encoding undone; the whole message and
// multipart / message parts as they are. nullopt for an unknown encoding.
std::optional<std::string> binary_content(std::string_view msg, const mime::MessageStructure& st,
                                          const Section& section) {
  if (section.part.empty()) return std::string(msg);
  const mime::Part* part = mime::find_part(st, section.part);
  if (!part) return std::string();  // no such part: empty, as for BODY[]
  std::string_view body = mime::part_body(msg, *part);
  if (part->is_multipart() || part->is_message()) return std::string(body);
  auto enc = mime::parse_transfer_encoding(part->encoding);
  if (!enc) return std::nullopt;
  return mime::decode_transfer_encoding(body, *enc);
}

std::string_view apply_partial(std::string_view data, const std::optional<Partial>& p) {
  if (!p) return data;
  if (p->offset >= data.size()) return {};
  return data.substr(p->offset, p->length);
}

}  // namespace

Task<void> cmd_fetch(SessionContext& s, Command& c) {
  auto args = parse_fetch(c.args, c.uid);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  if (args->vanished && !s.qresync) {
    s.bad(c.tag, "VANISHED requires QRESYNC, which is not enabled");  // RFC 7162 §3.2.6
    co_return;
  }
  bool data = false, blob = false, sets_seen = false, structure = false;
  for (const auto& i : args->items) {
    switch (i.attr) {
      case FetchAttr::savedate:
        s.no(c.tag, "FETCH " + i.response_name() + " is not supported yet", "CANNOT");
        co_return;
      case FetchAttr::modseq: s.condstore = true; break;  // RFC 7162 §3.1: enables CONDSTORE
      default: break;
    }
    data |= needs_data(i);
    blob |= needs_blob(i);
    structure |= needs_structure(i);
    sets_seen |= i.sets_seen();
  }
  if (args->changed_since) s.condstore = true;

  auto& box = *s.selected;
  auto seqs = box.resolve(args->set, c.uid);
  if (!seqs) {
    s.fail(c.tag, seqs.error());
    co_return;
  }
  // RFC 7162 §3.2.6: UIDs of the set expunged after CHANGEDSINCE, first.
  if (args->vanished) {
    auto changes = co_await s.access.changes_since(s.account(), box.id, static_cast<int64_t>(*args->changed_since));
    if (!changes) {
      s.fail(c.tag, changes.error());
      co_return;
    }
    if (!s.selected) co_return;
    std::vector<uint32_t> vanished;
    for (uint32_t uid : changes->expunged)
      if (args->set.contains(uid, box.uidnext) && !box.seq_of(uid)) vanished.push_back(uid);
    if (!vanished.empty())
      s.untagged().atom("VANISHED").open().atom("EARLIER").close().raw(format_number_set(vanished)).end();
  }
  // RFC 7162 §3.1.4.1: CHANGEDSINCE keeps only messages modified after it.
  if (args->changed_since) {
    std::erase_if(*seqs, [&](uint32_t seq) {
      return static_cast<uint64_t>(box.rows[seq - 1].modseq) <= *args->changed_since;
    });
  }
  if (seqs->empty()) {
    s.ok(c.tag, "FETCH completed");
    co_return;
  }

  // RFC 9051 §6.4.5: BODY[...] (not PEEK) and RFC822(.TEXT) set \Seen,
  // and the new FLAGS are returned even when not asked for.
  std::map<uint32_t, bool> flags_changed;
  if (sets_seen && !box.read_only) {
    store::FlagUpdate u;
    u.op = store::FlagOp::add;
    u.flags = {"\\Seen"};
    for (uint32_t seq : *seqs)
      if (!store::has_flag(box.rows[seq - 1].flags, "\\Seen")) u.uids.push_back(box.rows[seq - 1].uid);
    if (!u.uids.empty()) {
      auto r = co_await s.access.update_flags(s.account(), box.id, std::move(u));
      if (!r) {
        s.fail(c.tag, r.error());
        co_return;
      }
      for (const auto& row : r->updated) {
        if (auto* mine = box.row_by_uid(row.uid)) {
          mine->flags = row.flags;
          mine->modseq = row.modseq;
          flags_changed[row.uid] = true;
        }
      }
    }
  }

  std::map<int64_t, store::MessageData> meta;
  if (data) {
    std::vector<int64_t> ids;
    for (uint32_t seq : *seqs) ids.push_back(box.rows[seq - 1].message_id);
    auto md = co_await s.access.message_data(s.account(), std::move(ids));
    if (!md) {
      s.fail(c.tag, md.error());
      co_return;
    }
    for (auto& m : *md) meta[m.message_id] = std::move(m);
  }

  bool any_missing = false, unknown_cte = false;
  std::vector<uint32_t> missing_uids;
  for (uint32_t seq : *seqs) {
    if (!s.selected) co_return;
    // Copy: the view may change while we await the blob.
    store::MessageRow row = box.rows[seq - 1];
    const store::MessageData* m = nullptr;
    if (data) {
      auto it = meta.find(row.message_id);
      if (it == meta.end()) {  // expunged meanwhile: skip it (RFC 9051 §7.5.1 allows NO later)
        any_missing = true;
        missing_uids.push_back(row.uid);
        continue;
      }
      m = &it->second;
    }
    std::string content;
    if (blob) {
      auto b = co_await s.access.read_blob(m->blob_hash);
      if (!b) {
        any_missing = true;
        missing_uids.push_back(row.uid);
        continue;
      }
      content = std::move(*b);
    }
    // The structure cached at delivery; a message stored without one (or
    // with an unreadable one) is parsed now, from its blob.
    mime::MessageStructure st;
    if (structure) {
      auto cached = mime::decode_structure(m->structure);
      if (cached) {
        st = std::move(*cached);
      } else {
        if (content.empty()) {
          auto b = co_await s.access.read_blob(m->blob_hash);
          if (!b) {
            any_missing = true;
            missing_uids.push_back(row.uid);
            continue;
          }
          content = std::move(*b);
        }
        st = mime::parse_message_structure(content);
      }
    }
    auto r = s.untagged();
    r.number(seq).atom("FETCH").open();
    bool flags_sent = false, modseq_sent = false;
    for (const auto& i : args->items) {
      switch (i.attr) {
        case FetchAttr::flags:
          r.atom("FLAGS");
          append_flag_list(r, row.flags);
          flags_sent = true;
          break;
        case FetchAttr::uid: r.atom("UID").number(row.uid); break;
        case FetchAttr::internaldate:
          r.atom("INTERNALDATE").string(format_date_time(from_unix_seconds(m->internal_date)));
          break;
        case FetchAttr::rfc822_size: r.atom("RFC822.SIZE").number(static_cast<uint64_t>(m->size)); break;
        // RFC 8474 §5.1, §5.2
        case FetchAttr::emailid: r.atom("EMAILID").open().atom(email_object_id(m->blob_hash)).close(); break;
        case FetchAttr::threadid: r.atom("THREADID").open().atom(thread_object_id(m->thread_id)).close(); break;
        case FetchAttr::modseq:
          r.atom("MODSEQ").open().number(static_cast<uint64_t>(row.modseq)).close();
          modseq_sent = true;
          break;
        case FetchAttr::rfc822: r.atom("RFC822").string(content); break;
        case FetchAttr::rfc822_header: r.atom("RFC822.HEADER").string(top_level(content, SectionText::header)); break;
        case FetchAttr::rfc822_text: r.atom("RFC822.TEXT").string(top_level(content, SectionText::text)); break;
        case FetchAttr::envelope: {
          std::string e;
          append_envelope(e, st.envelope, s.writer());
          r.atom("ENVELOPE").raw(e);
          break;
        }
        case FetchAttr::body:
        case FetchAttr::bodystructure: {
          bool extended = i.attr == FetchAttr::bodystructure;
          r.atom(extended ? "BODYSTRUCTURE" : "BODY").raw(render_bodystructure(st.root, extended, s.writer()));
          break;
        }
        case FetchAttr::binary:
        case FetchAttr::binary_size: {
          auto decoded = binary_content(content, st, i.section);
          if (!decoded) {
            // RFC 3516 §4.3: the item is left out and the command fails.
            unknown_cte = true;
            break;
          }
          if (i.attr == FetchAttr::binary_size) {
            r.atom(i.response_name()).number(decoded->size());
          } else {
            r.atom(i.response_name()).binary(apply_partial(*decoded, i.partial));
          }
          break;
        }
        case FetchAttr::body_section: {
          if (!needs_structure(i)) {
            std::string_view whole = content;
            if (i.section.text != SectionText::none) whole = top_level(content, i.section.text);
            r.atom(i.response_name()).string(apply_partial(whole, i.partial));
            break;
          }
          // A section that names nothing is an empty string, as Dovecot answers.
          auto bytes = section_bytes(content, st, i.section);
          std::string_view part = bytes ? bytes->data() : std::string_view();
          r.atom(i.response_name()).string(apply_partial(part, i.partial));
          break;
        }
        default: break;
      }
    }
    if (flags_changed.count(row.uid) && !flags_sent) {
      r.atom("FLAGS");
      append_flag_list(r, row.flags);
      if (s.condstore && !modseq_sent) r.atom("MODSEQ").open().number(static_cast<uint64_t>(row.modseq)).close();
    }
    r.close().end();
  }
  // A UID command may announce expunges (RFC 9051 §7.4.1): once the client
  // has been told, the UIDs it asked for no longer exist, and UID FETCH
  // ignores those (§6.4.8), so the command succeeds. Only a message still
  // in the view (not expunged: a blob that cannot be read) fails it.
  bool expunge_issued = false;
  if (any_missing && c.uid) {
    co_await announce_changes(s, true);
    if (!s.selected) co_return;
    any_missing = std::any_of(missing_uids.begin(), missing_uids.end(),
                              [&](uint32_t uid) { return s.selected->seq_of(uid).has_value(); });
    expunge_issued = !any_missing;
  }
  if (unknown_cte) {
    s.no(c.tag, "Unknown Content-Transfer-Encoding: BINARY cannot decode it", "UNKNOWN-CTE");
  } else if (any_missing) {
    s.no(c.tag, "Some messages were expunged meanwhile and were not fetched", "EXPUNGEISSUED");
  } else if (expunge_issued) {
    s.ok(c.tag, "FETCH completed; messages expunged meanwhile were left out", "EXPUNGEISSUED");
  } else {
    s.ok(c.tag, "FETCH completed");
  }
}

}  // namespace postern::imap
