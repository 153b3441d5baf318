// import_maildir: walks a Maildir++ tree folder by folder.
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "transfer/importers.hpp"
#include "transfer/mail_importer.hpp"
#include "transfer/proto/dovecot_keywords.hpp"
#include "transfer/proto/maildir_folder.hpp"
#include "transfer/proto/maildir_name.hpp"
#include "transfer/proto/mbox.hpp"

namespace fs = std::filesystem;

namespace postern::transfer {
namespace {

struct SourceFolder {
  fs::path dir;
  std::string dir_name;  // "" for the top (INBOX), ".A.B" otherwise
};

struct SourceFile {
  fs::path path;
  std::string name;
  int64_t mtime = 0;
  uint64_t size = 0;
};

bool is_maildir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
}

std::string read_file(const fs::path& p, std::string& error) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) error = "read error";
  return ss.str();
}

// cur/ and new/ files in delivery order (then name), so UIDs follow it.
std::vector<SourceFile> folder_files(const fs::path& dir, ImportReport& report) {
  std::vector<SourceFile> out;
  for (const char* sub : {"cur", "new"}) {
    std::error_code ec;
    fs::directory_iterator it(dir / sub, ec);
    if (ec) {
      if (ec != std::errc::no_such_file_or_directory)
        report.skipped.push_back({(dir / sub).string(), "cannot list: " + ec.message()});
      continue;
    }
    for (const auto& e : it) {
      std::string name = e.path().filename().string();
      if (name.empty() || name.front() == '.') continue;
      struct stat st {};
      if (::stat(e.path().c_str(), &st) != 0) {
        report.skipped.push_back({e.path().string(), std::string("cannot stat: ") + std::strerror(errno)});
        continue;
      }
      if (!S_ISREG(st.st_mode)) continue;
      out.push_back({e.path(), name, static_cast<int64_t>(st.st_mtime), static_cast<uint64_t>(st.st_size)});
    }
  }
  std::sort(out.begin(), out.end(), [](const SourceFile& a, const SourceFile& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
  });
  return out;
}

}  // namespace

Result<ImportReport> import_maildir(const ImportTarget& target, const std::string& path, DateSource dates) {
  const auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  const fs::path root(path);
  if (!fs::exists(root, ec)) return user_error(path + ": no such directory");
  if (!fs::is_directory(root, ec)) return user_error(path + ": not a directory");

  std::vector<SourceFolder> folders;
  if (is_maildir(root)) folders.push_back({root, ""});
  std::vector<SourceFolder> subs;
  fs::directory_iterator it(root, ec);
  if (ec) return user_error(path + ": cannot list: " + ec.message());
  for (const auto& e : it) {
    std::string name = e.path().filename().string();
    if (name.size() < 2 || name[0] != '.' || name == ".." || !e.is_directory(ec)) continue;
    if (!is_maildir(e.path())) continue;
    subs.push_back({e.path(), name});
  }
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.dir_name < b.dir_name; });
  folders.insert(folders.end(), subs.begin(), subs.end());
  if (folders.empty())
    return user_error(path + ": not a Maildir (no cur/ or new/ directory, and no .Folder subdirectories with them)");

  ImportReport report;
  // Count first, for the progress bar.
  std::vector<std::vector<SourceFile>> files;
  uint64_t total = 0;
  for (const auto& f : folders) {
    files.push_back(folder_files(f.dir, report));
    total += files.back().size();
  }
  Progress progress(total, target.progress);
  MailImporter importer(target.store, target.data_dir, target.account_id, report, progress);

  for (size_t fi = 0; fi < folders.size(); ++fi) {
    const auto& folder = folders[fi];
    auto name = store_name_of_folder(folder.dir_name);
    if (!name) {
      report.skipped.push_back({folder.dir.string(), name.error().message + " (folder skipped)"});
      continue;
    }
    auto opened = importer.open_mailbox(*name, conventional_special_use(*name));
    if (!opened) {
      if (opened.error().kind == ErrorKind::temporary || opened.error().kind == ErrorKind::internal)
        return opened.error();
      report.skipped.push_back({folder.dir.string(), opened.error().message + " (folder skipped)"});
      continue;
    }
    ++report.folders;
    KeywordTable keywords;
    if (fs::exists(folder.dir / "dovecot-keywords", ec)) {
      std::string error;
      std::string text = read_file(folder.dir / "dovecot-keywords", error);
      if (!error.empty()) report.skipped.push_back({(folder.dir / "dovecot-keywords").string(), error});
      keywords = parse_dovecot_keywords(text);
    }
    for (const auto& file : files[fi]) {
      if (target.max_message_size && file.size > target.max_message_size) {
        report.skipped.push_back({file.path.string(), "larger than the maximum message size (" +
                                                          std::to_string(target.max_message_size) + " bytes)"});
        progress.advance(1, *opened);
        continue;
      }
      std::string error;
      std::string raw = read_file(file.path, error);
      if (!error.empty()) {
        report.skipped.push_back({file.path.string(), "cannot read: " + error});
        progress.advance(1, *opened);
        continue;
      }
      if (raw.empty()) {
        report.skipped.push_back({file.path.string(), "empty file"});
        progress.advance(1, *opened);
        continue;
      }
      MaildirName parsed = parse_maildir_name(file.name);
      ImportMessage m;
      m.source = file.path.string();
      m.content = to_crlf(raw);
      m.flags = parsed.flags;
      for (auto& k : keywords_of_letters(keywords, parsed.keyword_letters)) m.flags.push_back(std::move(k));
      m.internal_date = (dates == DateSource::file_name && parsed.delivered_at) ? *parsed.delivered_at : file.mtime;
      importer.add(std::move(m));
    }
    if (auto s = importer.flush(); !s) return s.error();
  }
  progress.finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace postern::transfer
