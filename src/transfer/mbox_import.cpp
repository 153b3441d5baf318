// import_mbox: one mbox file into one mailbox.
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>

#include "transfer/importers.hpp"
#include "transfer/mail_importer.hpp"
#include "transfer/proto/maildir_folder.hpp"

namespace postern::transfer {
namespace {

// The file mapped read-only: mbox files of several GB are common and the
// splitter only needs views into them.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ && size_) ::munmap(data_, size_);
  }
  Status open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return user_error(path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return user_error(path + ": not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (data_ == MAP_FAILED) {
        data_ = nullptr;
        ::close(fd);
        return user_error(path + ": cannot map: " + std::strerror(errno));
      }
    }
    ::close(fd);
    return Ok{};
  }
  std::string_view view() const { return {static_cast<const char*>(data_), data_ ? size_ : 0}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Result<ImportReport> import_mbox(const ImportTarget& target, const std::string& path, const std::string& mailbox,
                                 MboxFormat format) {
  const auto started = std::chrono::steady_clock::now();
  MappedFile file;
  if (auto s = file.open(path); !s) return s.error();
  bool garbage = false;
  auto messages = split_mbox(file.view(), &garbage);
  if (messages.empty() && !file.view().empty())
    return user_error(path + ": not an mbox file (no \"From \" separator line)");

  ImportReport report;
  if (garbage) report.skipped.push_back({path + "@0", "text before the first \"From \" line ignored"});
  Progress progress(messages.size(), target.progress);
  MailImporter importer(target.store, target.data_dir, target.account_id, report, progress);
  auto opened = importer.open_mailbox(mailbox, std::nullopt);
  if (!opened) return opened.error();
  report.folders = 1;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& msg : messages) {
    const std::string where = path + "@" + std::to_string(msg.offset);
    if (msg.raw.empty()) {
      report.skipped.push_back({where, "empty message"});
      progress.advance(1, *opened);
      continue;
    }
    if (target.max_message_size && msg.raw.size() > target.max_message_size) {
      report.skipped.push_back({where, "larger than the maximum message size (" +
                                           std::to_string(target.max_message_size) + " bytes)"});
      progress.advance(1, *opened);
      continue;
    }
    FromLine from = parse_from_line(msg.from_line);
    ImportMessage m;
    m.source = where;
    m.content = to_crlf(strip_status_headers(unquote_from(msg.raw, format), m.flags));
    m.internal_date = from.date.value_or(now);
    if (from.sender != "MAILER-DAEMON") m.return_path = from.sender;
    importer.add(std::move(m));
  }
  if (auto s = importer.flush(); !s) return s.error();
  progress.finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace postern::transfer
