// prepare_local_delivery / summarize: header extraction for the store.
#include "delivery/local_delivery.hpp"

#include "mime/header.hpp"

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
  s.message_id = field(headers, "Message-ID");
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
