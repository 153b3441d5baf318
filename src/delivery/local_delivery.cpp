// prepare_local_delivery / summarize: header extraction for the store.
#include "delivery/local_delivery.hpp"

#include "mime/header.hpp"
#include "mime/msg_id.hpp"

namespace postern::delivery {
namespace {
constexpr size_t kMaxSummaryField = 998;  // RFC 5322 §2.1.1 line limit

std::string field(const mime::HeaderSection& h, std::string_view name) {
  const auto* f = mime::find_field(h, name);
  if (!f) return {};
  auto v = mime::unfold(f->value);
  if (v.size() > kMaxSummaryField) v.resize(kMaxSummaryField);
  return v;
}
}  // namespace

store::MessageSummary summarize(std::string_view content) {
  auto headers = mime::parse_header_section(content);
  store::MessageSummary s;
  s.subject = field(headers, "Subject");
  s.from = field(headers, "From");
  auto message_id = field(headers, "Message-ID");
  s.message_id = mime::first_msg_id(message_id);
  if (s.message_id.empty()) s.message_id = std::move(message_id);
  s.references = mime::extract_msg_ids(field(headers, "References"));
  for (auto& id : mime::extract_msg_ids(field(headers, "In-Reply-To"), 1)) s.references.push_back(std::move(id));
  if (auto d = field(headers, "Date"); !d.empty()) s.date = mime::parse_date(d);
  return s;
}

store::Delivery prepare_local_delivery(LocalMessage message) {
  store::Delivery d;
  d.summary = summarize(message.content);
  d.content = std::move(message.content);
  d.internal_date = message.received_at;
  d.return_path = std::move(message.return_path);
  for (int64_t account : message.accounts) d.targets.push_back({account, "INBOX", {}});
  return d;
}

}  // namespace postern::delivery
