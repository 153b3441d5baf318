// export_maildir: the account as a Dovecot Maildir++ tree.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "store/flags.hpp"
#include "transfer/exporters.hpp"
#include "transfer/proto/dovecot_keywords.hpp"
#include "transfer/proto/maildir_folder.hpp"
#include "transfer/proto/maildir_name.hpp"
#include "transfer/proto/mbox.hpp"

namespace fs = std::filesystem;

namespace postern::transfer {
namespace {

Status write_file(const fs::path& p, std::string_view data, std::optional<int64_t> mtime = std::nullopt) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) return temporary_error(p.string() + ": " + std::strerror(errno));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return temporary_error(p.string() + ": write failed");
  if (mtime) {
    struct timespec times[2];
    times[0].tv_sec = static_cast<time_t>(*mtime);
    times[0].tv_nsec = 0;
    times[1] = times[0];
    if (::utimensat(AT_FDCWD, p.c_str(), times, 0) != 0)
      return temporary_error(p.string() + ": cannot set mtime: " + std::strerror(errno));
  }
  return Ok{};
}

Status check_empty_dir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return user_error(dir + ": exists and is not a directory");
    if (!fs::is_empty(dir, ec)) return user_error(dir + ": directory is not empty (export into a new directory)");
  }
  fs::create_directories(dir, ec);
  if (ec) return user_error(dir + ": cannot create: " + ec.message());
  return Ok{};
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "postern";
  std::string h(buf);
  // '/' and ':' would break the name; Dovecot writes them as \057 and \072.
  std::string out;
  for (char c : h) {
    if (c == '/') out += "\\057";
    else if (c == ':') out += "\\072";
    else out += c;
  }
  return out;
}

}  // namespace

std::string ExportReport::summary() const {
  char line[160];
  std::snprintf(line, sizeof line, "exported %llu messages (%.1f MB) from %llu mailboxes\n",
                static_cast<unsigned long long>(messages), static_cast<double>(bytes) / 1e6,
                static_cast<unsigned long long>(folders));
  std::string out = line;
  for (const auto& n : notes) out += "note: " + n + "\n";
  return out;
}

Result<ExportReport> export_maildir(store::MailStore& store, int64_t account_id, const std::string& dir) {
  if (auto s = check_empty_dir(dir); !s) return s.error();
  auto boxes = store.list_mailboxes(account_id);
  if (!boxes) return boxes.error();
  ExportReport report;
  const std::string host = host_name();
  const long pid = static_cast<long>(::getpid());
  std::string subscriptions = "V\t2\n\n";  // Dovecot's subscriptions file, version 2
  std::set<std::string> used_dirs;
  for (const auto& box : *boxes) {
    bool renamed = false;
    auto folder = folder_of_store_name(box.name, &renamed);
    if (!folder) {
      report.notes.push_back("mailbox '" + box.name + "' skipped: " + folder.error().message);
      continue;
    }
    if (!used_dirs.insert(*folder).second) {
      report.notes.push_back("mailbox '" + box.name + "' skipped: its folder name " + *folder + " is taken");
      continue;
    }
    if (renamed) report.notes.push_back("mailbox '" + box.name + "' written as " + *folder + " ('.' is the separator)");
    const fs::path fdir = fs::path(dir) / *folder;
    std::error_code ec;
    for (const char* sub : {"cur", "new", "tmp"}) {
      fs::create_directories(fdir / sub, ec);
      if (ec) return temporary_error((fdir / sub).string() + ": " + ec.message());
    }
    if (box.subscribed && !folder->empty()) {
      // Dovecot 2.3 v2 format: names with the hierarchy separator as TAB.
      std::string n = box.name;
      for (char& c : n)
        if (c == '/') c = '\t';
      subscriptions += n + "\n";
    }
    auto messages = store.list_messages(account_id, box.name);
    if (!messages) return messages.error();
    // Keyword letters: the mailbox's keywords in sorted order, 26 at most
    // (the file name has no room for more).
    std::map<std::string, char> letter_of;
    KeywordTable table;
    for (const auto& m : *messages)
      for (const auto& f : store::split_flags(m.flags))
        if (!f.empty() && f.front() != '\\' && !letter_of_flag(f) && !letter_of.count(f)) letter_of[f] = 0;
    char next = 'a';
    for (auto& [kw, letter] : letter_of) {
      if (next > 'z') {
        report.notes.push_back("mailbox '" + box.name + "': keyword " + kw + " dropped (more than 26 keywords)");
        continue;
      }
      letter = next;
      table[static_cast<size_t>(next - 'a')] = kw;
      ++next;
    }
    if (!letter_of.empty()) {
      if (auto s = write_file(fdir / "dovecot-keywords", format_dovecot_keywords(table)); !s) return s.error();
    }
    for (const auto& m : *messages) {
      auto blob = store.read_blob(m.blob_hash);
      if (!blob) return blob.error();
      const std::string text = to_lf(*blob);
      std::vector<std::string> system;
      std::string letters;
      for (const auto& f : store::split_flags(m.flags)) {
        if (letter_of_flag(f)) system.push_back(f);
        else if (auto it = letter_of.find(f); it != letter_of.end() && it->second) letters += it->second;
      }
      const std::string name = std::to_string(m.internal_date) + ".M" + std::to_string(m.uid) + "P" +
                               std::to_string(pid) + "Q" + std::to_string(box.id) + "." + host +
                               ",S=" + std::to_string(text.size()) + ",W=" + std::to_string(blob->size()) +
                               maildir_info(system, letters);
      if (auto s = write_file(fdir / "cur" / name, text, m.internal_date); !s) return s.error();
      ++report.messages;
      report.bytes += text.size();
    }
    ++report.folders;
  }
  if (auto s = write_file(fs::path(dir) / "subscriptions", subscriptions); !s) return s.error();
  return report;
}

}  // namespace postern::transfer
