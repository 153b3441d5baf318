// smtp_load: a bounded SMTP load generator for benchmarks. N sender threads
// each keep one connection and send messages of a given size back to back
// (EHLO once, then MAIL/RCPT/DATA per message) for a fixed time or count.
// With --auth USER:PASS each connection authenticates (AUTH PLAIN) after
// EHLO, as a submission client does.
// Prints one JSON line: acknowledged messages, failures, elapsed seconds,
// rate, and latency percentiles. Works against any SMTP server (Postern,
// Postfix) so both see identical traffic.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 25;
  int senders = 20;
  size_t size = 5120;
  double seconds = 10;
  long max_messages = 0;  // 0: no limit besides time
  std::string from = "bench@example.org";
  std::string to = "user@example.test";
  std::string auth;  // "user:password" for AUTH PLAIN; empty: no AUTH
};

using Clock = std::chrono::steady_clock;

class Conn {
 public:
  bool open(const Options& o) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(o.port));
    inet_pton(AF_INET, o.host.c_str(), &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return reply() / 100 == 2;
  }
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool send(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads one (possibly multi-line) reply; returns its code or -1.
  int reply() {
    for (;;) {
      auto nl = buf_.find("\r\n");
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 2);
        if (line.size() >= 4 && line[3] == '-') continue;
        return line.size() >= 3 ? std::atoi(line.substr(0, 3).c_str()) : -1;
      }
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return -1;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

std::string make_body(const Options& o, int sender, long seq) {
  size_t size = o.size;
  std::string h = "From: <" + o.from + ">\r\nTo: <" + o.to + ">\r\nSubject: bench " + std::to_string(sender) +
                  "-" + std::to_string(seq) + "\r\nMessage-ID: <" + std::to_string(sender) + "." + std::to_string(seq) +
                  "." + std::to_string(std::rand()) + "@bench>\r\n\r\n";
  std::string body = h;
  const char* line = "The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnop\r\n";
  while (body.size() < size) body += line;
  body.resize(size);
  if (body.size() >= 2) {
    body[body.size() - 2] = '\r';
    body[body.size() - 1] = '\n';
  }
  return body;
}

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {abc[v >> 18], abc[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], '='};
  }
  return out;
}

// AUTH PLAIN with "user:password" (RFC 4616: authzid NUL authcid NUL passwd).
bool authenticate(Conn& c, const std::string& auth) {
  auto colon = auth.find(':');
  if (colon == std::string::npos) return false;
  std::string plain = std::string(1, '\0') + auth.substr(0, colon) + std::string(1, '\0') + auth.substr(colon + 1);
  return c.send("AUTH PLAIN " + base64(plain) + "\r\n") && c.reply() == 235;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host") o.host = v;
    else if (k == "--port") o.port = std::atoi(v.c_str());
    else if (k == "--senders") o.senders = std::atoi(v.c_str());
    else if (k == "--size") o.size = static_cast<size_t>(std::atol(v.c_str()));
    else if (k == "--seconds") o.seconds = std::atof(v.c_str());
    else if (k == "--max") o.max_messages = std::atol(v.c_str());
    else if (k == "--from") o.from = v;
    else if (k == "--to") o.to = v;
    else if (k == "--auth") o.auth = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  std::atomic<long> acked{0}, failed{0}, issued{0};
  std::mutex mu;
  std::vector<double> latencies;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int s = 0; s < o.senders; ++s) {
    threads.emplace_back([&, s] {
      std::vector<double> mine;
      Conn c;
      if (!c.open(o) || !c.send("EHLO bench.example.org\r\n") || c.reply() != 250) {
        ++failed;
        return;
      }
      if (!o.auth.empty() && !authenticate(c, o.auth)) {
        ++failed;
        return;
      }
      for (long seq = 0; Clock::now() < deadline; ++seq) {
        if (o.max_messages && issued.fetch_add(1) >= o.max_messages) break;
        std::string msg = make_body(o, s, seq);
        auto t0 = Clock::now();
        // PIPELINING: envelope in one write, then the data.
        if (!c.send("MAIL FROM:<" + o.from + ">\r\nRCPT TO:<" + o.to + ">\r\nDATA\r\n")) break;
        if (c.reply() != 250 || c.reply() != 250 || c.reply() != 354) {
          ++failed;
          break;
        }
        if (!c.send(msg + ".\r\n")) break;
        int code = c.reply();
        if (code == 250) {
          ++acked;
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        } else {
          ++failed;
          if (code < 0) break;
        }
      }
      c.send("QUIT\r\n");
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
  };
  std::printf(
      "{\"acked\": %ld, \"failed\": %ld, \"seconds\": %.3f, \"rate\": %.1f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, "
      "\"senders\": %d, \"size\": %zu}\n",
      acked.load(), failed.load(), elapsed, acked.load() / elapsed, pct(0.5), pct(0.99), o.senders, o.size);
  return failed.load() > 0 && acked.load() == 0 ? 1 : 0;
}
