// export_mbox: mailboxes as mboxrd files.
#include <strings.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "store/flags.hpp"
#include "transfer/exporters.hpp"
#include "transfer/proto/mbox.hpp"

namespace fs = std::filesystem;

namespace postern::transfer {
namespace {

// The message with its status headers at the end of the header section
// (where import removes them again), LF line ends, mboxrd-quoted.
std::string mbox_entry(const store::MessageInfo& m, std::string_view content) {
  std::string text = to_lf(content);
  const std::string status = status_headers(store::split_flags(m.flags));
  size_t end = text.find("\n\n");
  if (end != std::string::npos) text.insert(end + 1, status);
  else if (text.empty() || text.back() == '\n') text += status;  // headers only, no body
  std::string out = format_from_line(m.return_path, m.internal_date);
  out += quote_from(text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += '\n';  // the empty line that ends every message
  return out;
}

Status export_one(store::MailStore& store, int64_t account_id, const std::string& mailbox, const fs::path& file,
                  ExportReport& report) {
  auto messages = store.list_messages(account_id, mailbox);
  if (!messages) return messages.error();
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return user_error(file.string() + ": " + std::strerror(errno));
  for (const auto& m : *messages) {
    auto blob = store.read_blob(m.blob_hash);
    if (!blob) return blob.error();
    const std::string entry = mbox_entry(m, *blob);
    out.write(entry.data(), static_cast<std::streamsize>(entry.size()));
    ++report.messages;
    report.bytes += entry.size();
  }
  out.close();
  if (!out) return temporary_error(file.string() + ": write failed");
  ++report.folders;
  return Ok{};
}

}  // namespace

Result<ExportReport> export_mbox(store::MailStore& store, int64_t account_id, const std::optional<std::string>& mailbox,
                                 const std::string& path) {
  ExportReport report;
  std::error_code ec;
  if (mailbox) {
    if (fs::is_directory(path, ec)) return user_error(path + ": is a directory (give a file name)");
    auto boxes = store.list_mailboxes(account_id);
    if (!boxes) return boxes.error();
    std::string name;
    for (const auto& b : *boxes)
      if (b.name == *mailbox || (b.name == "INBOX" && strcasecmp(mailbox->c_str(), "INBOX") == 0)) name = b.name;
    if (name.empty()) return user_error("no mailbox '" + *mailbox + "'");
    if (auto s = export_one(store, account_id, name, path, report); !s) return s.error();
    return report;
  }
  if (fs::exists(path, ec) && (!fs::is_directory(path, ec) || !fs::is_empty(path, ec)))
    return user_error(path + ": must be a new or empty directory when exporting every mailbox");
  fs::create_directories(path, ec);
  if (ec) return user_error(path + ": cannot create: " + ec.message());
  auto boxes = store.list_mailboxes(account_id);
  if (!boxes) return boxes.error();
  for (const auto& b : *boxes) {
    std::string file = b.name;
    for (char& c : file)
      if (c == '/') c = '.';
    if (auto s = export_one(store, account_id, b.name, fs::path(path) / (file + ".mbox"), report); !s)
      return s.error();
  }
  return report;
}

}  // namespace postern::transfer
