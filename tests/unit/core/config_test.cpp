// Config loading: every problem is reported as `file:line:column: message`
// (or `file:line:` for whole-listener checks) with a hint, and nothing is
// silently defaulted.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/config.hpp"

namespace postern {
namespace {

Result<Config> parse(const std::string& toml) { return parse_config(toml, "test.toml", "/etc/postern"); }

// The whole error text of a config that must fail.
std::string error_of(const std::string& toml) {
  auto r = parse(toml);
  if (r) return "<parsed without error>";
  EXPECT_EQ(r.error().kind, ErrorKind::user);
  return r.error().message;
}

TEST(Config, EmptyFileGivesDefaults) {
  auto c = parse("");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.hostname, "localhost");
  EXPECT_EQ(c->server.data_dir, "/var/lib/postern");
  EXPECT_EQ(c->smtp.max_message_size, 50ull * 1024 * 1024);
  EXPECT_EQ(c->smtp.max_recipients, 100u);
  EXPECT_TRUE(c->listeners.empty());
}

TEST(Config, ValidFullConfig) {
  auto c = parse(R"(
[server]
hostname = "mail.example.org"
data_dir = "/srv/postern"
threads = 4
user = "postern"
dev_mode = true
log_level = "debug"
shutdown_grace_seconds = 10

[tls]
certificate = "/etc/ssl/mail.pem"
key = "/etc/ssl/mail.key"

[smtp]
max_message_size = 1048576
max_recipients = 200
max_errors = 5
max_line_length = 2048
command_timeout_seconds = 60
data_timeout_seconds = 120
max_connections_per_ip = 3

[[listener]]
protocol = "smtp"
address = "0.0.0.0:25"

[[listener]]
protocol = "smtp"
address = "[::1]:2525"
tls = "none"
)");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->path, "test.toml");
  EXPECT_EQ(c->server.hostname, "mail.example.org");
  EXPECT_EQ(c->server.data_dir, "/srv/postern");
  EXPECT_EQ(c->server.threads, 4u);
  EXPECT_EQ(c->server.user, "postern");
  EXPECT_TRUE(c->server.dev_mode);
  EXPECT_EQ(c->server.log_level, "debug");
  EXPECT_EQ(c->server.shutdown_grace_seconds, 10u);
  EXPECT_EQ(c->tls.certificate, "/etc/ssl/mail.pem");
  EXPECT_EQ(c->tls.key, "/etc/ssl/mail.key");
  EXPECT_EQ(c->smtp.max_message_size, 1048576u);
  EXPECT_EQ(c->smtp.max_recipients, 200u);
  EXPECT_EQ(c->smtp.max_errors, 5u);
  EXPECT_EQ(c->smtp.max_line_length, 2048u);
  EXPECT_EQ(c->smtp.command_timeout_seconds, 60u);
  EXPECT_EQ(c->smtp.data_timeout_seconds, 120u);
  EXPECT_EQ(c->smtp.max_connections_per_ip, 3u);
  ASSERT_EQ(c->listeners.size(), 2u);
  EXPECT_EQ(c->listeners[0].protocol, "smtp");
  EXPECT_EQ(c->listeners[0].host, "0.0.0.0");
  EXPECT_EQ(c->listeners[0].port, 25);
  EXPECT_EQ(c->listeners[0].tls, TlsMode::starttls);
  EXPECT_EQ(c->listeners[0].line, 24);
  EXPECT_EQ(c->listeners[1].host, "::1");
  EXPECT_EQ(c->listeners[1].port, 2525);
  EXPECT_EQ(c->listeners[1].tls, TlsMode::none);
  EXPECT_EQ(c->listeners[1].address, "[::1]:2525");
}

TEST(Config, UnknownKeyWithDidYouMeanAndPosition) {
  EXPECT_EQ(error_of("[server]\nhostnme = \"x.example\"\n"),
            "test.toml:2:1: unknown key 'server.hostnme' (did you mean 'server.hostname'?)");
  EXPECT_EQ(error_of("[smtp]\nmax_recipient = 5\n"),
            "test.toml:2:1: unknown key 'smtp.max_recipient' (did you mean 'smtp.max_recipients'?)");
  EXPECT_EQ(error_of("[sever]\n"), "test.toml:1:2: unknown key 'sever' (did you mean 'server'?)");
}

TEST(Config, UnknownKeyFarFromAnyListsTheKnownOnes) {
  EXPECT_EQ(error_of("[tls]\ncolour = 1\n"),
            "test.toml:2:1: unknown key 'tls.colour' (known keys here: certificate, key)");
}

TEST(Config, WrongType) {
  EXPECT_EQ(error_of("[server]\nhostname = 5\n"), "test.toml:2:12: server.hostname must be a string");
  EXPECT_EQ(error_of("[server]\ndev_mode = \"yes\"\n"), "test.toml:2:12: server.dev_mode must be true or false");
  EXPECT_EQ(error_of("[smtp]\nmax_errors = \"10\"\n"), "test.toml:2:14: smtp.max_errors must be an integer");
  EXPECT_EQ(error_of("[smtp]\nmax_errors = 1.5\n"), "test.toml:2:14: smtp.max_errors must be an integer");
  EXPECT_EQ(error_of("server = 1\n"), "test.toml:1:10: server must be a table: write [server]");
}

TEST(Config, OutOfRange) {
  EXPECT_EQ(error_of("[smtp]\nmax_recipients = 0\n"),
            "test.toml:2:18: smtp.max_recipients = 0 is out of range (allowed 1..100000)");
  EXPECT_EQ(error_of("[server]\nthreads = -1\n"),
            "test.toml:2:11: server.threads = -1 is out of range (allowed 0..256)");
  EXPECT_EQ(error_of("[smtp]\nmax_line_length = 999\n"),
            "test.toml:2:19: smtp.max_line_length = 999 is out of range (allowed 1000..1048576)");
}

TEST(Config, ConnectionAndCommandLimits) {
  auto d = parse("");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->server.max_connections, 10000u);
  EXPECT_EQ(d->server.commands_per_second, 250u);
  EXPECT_EQ(d->server.command_burst, 2500u);
  EXPECT_EQ(d->smtp.max_connections_per_ip, 20u);
  EXPECT_EQ(d->imap.max_connections_per_ip, 50u);
  EXPECT_EQ(d->imap.max_line_length, 65536u);
  EXPECT_EQ(d->pop3.max_connections_per_ip, 10u);
  EXPECT_EQ(d->pop3.max_line_length, 1024u);
  auto c = parse(
      "[server]\nmax_connections = 500\ncommands_per_second = 0\ncommand_burst = 7\n"
      "[imap]\nmax_connections_per_ip = 4\nmax_line_length = 2048\n"
      "[pop3]\nmax_connections_per_ip = 3\nmax_line_length = 600\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.max_connections, 500u);
  EXPECT_EQ(c->server.commands_per_second, 0u);
  EXPECT_EQ(c->server.command_burst, 7u);
  EXPECT_EQ(c->imap.max_connections_per_ip, 4u);
  EXPECT_EQ(c->imap.max_line_length, 2048u);
  EXPECT_EQ(c->pop3.max_connections_per_ip, 3u);
  EXPECT_EQ(c->pop3.max_line_length, 600u);
  EXPECT_EQ(error_of("[server]\nmax_connections = 0\n"),
            "test.toml:2:19: server.max_connections = 0 is out of range (allowed 1..1000000)");
  EXPECT_EQ(error_of("[pop3]\nmax_line_length = 100\n"),
            "test.toml:2:19: pop3.max_line_length = 100 is out of range (allowed 512..65536)");
}

TEST(Config, SeveralProblemsAreAllReported) {
  EXPECT_EQ(error_of("[server]\nthreads = 999\nhostnam = \"a\"\n"),
            "test.toml:2:11: server.threads = 999 is out of range (allowed 0..256)\n"
            "test.toml:3:1: unknown key 'server.hostnam' (did you mean 'server.hostname'?)");
}

TEST(Config, BadValuesReportTheirLine) {
  EXPECT_EQ(error_of("[server]\nlog_level = \"loud\"\n"),
            "test.toml:2:13: server.log_level \"loud\" must be debug, info, warn or error");
  EXPECT_EQ(error_of("[server]\nhostname = \"bad_host\"\n"),
            "test.toml:2:12: server.hostname \"bad_host\": invalid domain label 'bad_host' (letters, digits and "
            "inner hyphens, 1-63 octets)");
  EXPECT_EQ(error_of("[server]\ndata_dir = \"\"\n"), "test.toml:2:12: server.data_dir must not be empty");
  EXPECT_EQ(error_of("[tls]\ncertificate = \"/c.pem\"\n"),
            "test.toml:2:15: tls.certificate and tls.key must be given together");
}

TEST(Config, BadListenerAddress) {
  const char* bad[] = {"localhost:25", "0.0.0.0", "0.0.0.0:0", "0.0.0.0:65536", "::1:25", "[::1]25",
                       "1.2.3.4:http", "[::1]:"};
  for (const char* address : bad) {
    EXPECT_EQ(error_of(std::string("[[listener]]\nprotocol = \"smtp\"\ntls = \"none\"\naddress = \"") + address +
                       "\"\n"),
              std::string("test.toml:4:11: listener.address \"") + address +
                  "\" must be IP:PORT or [IPv6]:PORT with a port 1-65535")
        << address;
  }
  EXPECT_EQ(error_of("[[listener]]\nprotocol = \"smtp\"\n"),
            "test.toml:1:1: listener needs address = \"HOST:PORT\" (e.g. \"0.0.0.0:25\" or \"[::]:25\")");
}

TEST(Config, UnknownOrMissingProtocol) {
  EXPECT_EQ(error_of("[[listener]]\nprotocol = \"smtps\"\naddress = \"0.0.0.0:465\"\n"),
            "test.toml:2:12: unknown listener protocol \"smtps\" (one of: \"smtp\", \"imap\", \"imaps\", \"submission\", \"submissions\", \"pop3\", \"pop3s\")");
  EXPECT_EQ(error_of("[[listener]]\naddress = \"0.0.0.0:25\"\n"),
            "test.toml:1:1: listener needs protocol = \"smtp\", \"submission\", \"submissions\", \"imap\", \"imaps\", \"pop3\" or \"pop3s\"");
  EXPECT_EQ(error_of("[[listener]]\nprotocol = \"smtp\"\naddress = \"0.0.0.0:25\"\ntls = \"maybe\"\n"),
            "test.toml:4:7: listener.tls must be \"none\", \"starttls\" or \"implicit\"");
  EXPECT_EQ(error_of("[listener]\nprotocol = \"smtp\"\n"),
            "test.toml:1:1: listener must be an array of tables: write [[listener]]");
}

TEST(Config, TlsListenerNeedsCertificate) {
  EXPECT_EQ(error_of("[[listener]]\nprotocol = \"smtp\"\naddress = \"0.0.0.0:25\"\n"),
            "test.toml:1:1: listener 0.0.0.0:25 needs TLS but [tls] certificate/key are not set "
            "(set them, or tls = \"none\" for this listener)");
  EXPECT_TRUE(parse("[[listener]]\nprotocol = \"smtp\"\naddress = \"0.0.0.0:25\"\ntls = \"none\"\n"));
}

TEST(Config, DuplicateListenerAddress) {
  const std::string two = R"([[listener]]
protocol = "smtp"
address = "127.0.0.1:2525"
tls = "none"

[[listener]]
protocol = "smtp"
address = "127.0.0.1:2525"
tls = "none"
)";
  EXPECT_EQ(error_of(two), "test.toml:6:1: listener address 127.0.0.1:2525 is already used at line 1");
  // The same IPv6 address spelt differently is the same socket.
  EXPECT_EQ(error_of("[[listener]]\nprotocol = \"smtp\"\naddress = \"[::1]:25\"\ntls = \"none\"\n"
                     "[[listener]]\nprotocol = \"smtp\"\naddress = \"[0:0::1]:25\"\ntls = \"none\"\n"),
            "test.toml:5:1: listener address [0:0::1]:25 is already used at line 1");
  // Same host, other port: fine.
  EXPECT_TRUE(parse("[[listener]]\nprotocol = \"smtp\"\naddress = \"[::1]:25\"\ntls = \"none\"\n"
                    "[[listener]]\nprotocol = \"smtp\"\naddress = \"[::1]:26\"\ntls = \"none\"\n"));
}

TEST(Config, TomlSyntaxErrorHasLine) {
  auto msg = error_of("[server]\nhostname = \"unterminated\n");
  EXPECT_EQ(msg.rfind("test.toml:2:", 0), 0u) << msg;
  EXPECT_NE(msg.find("TOML syntax error"), std::string::npos) << msg;
  auto dup = error_of("[server]\nthreads = 1\nthreads = 2\n");
  EXPECT_EQ(dup.rfind("test.toml:3:", 0), 0u) << dup;
}

TEST(Config, RelativePathsResolveAgainstTheFilesDirectory) {
  auto c = parse("[server]\ndata_dir = \"data\"\n[tls]\ncertificate = \"../ssl/c.pem\"\nkey = \"/abs/k.pem\"\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.data_dir, "/etc/postern/data");
  EXPECT_EQ(c->tls.certificate, "/etc/ssl/c.pem");
  EXPECT_EQ(c->tls.key, "/abs/k.pem");
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "postern-cfg-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(ConfigFileTest, LoadResolvesAgainstTheFilesDirectory) {
  auto path = write("postern.toml", "[server]\nhostname = \"mail.example.test\"\ndata_dir = \"data\"\n");
  auto c = load_config(path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->path, path);
  EXPECT_EQ(c->server.data_dir, dir_ + "/data");
  EXPECT_EQ(c->server.hostname, "mail.example.test");
}

TEST_F(ConfigFileTest, ErrorsNameTheFile) {
  auto path = write("bad.toml", "[server]\nthreads = \"many\"\n");
  auto c = load_config(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, path + ":2:11: server.threads must be an integer");
}

TEST_F(ConfigFileTest, MissingFile) {
  auto c = load_config(dir_ + "/nope.toml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, dir_ + "/nope.toml: cannot read config file: No such file or directory");
}

TEST(Config, DefaultPathHonoursEnvironment) {
  setenv("POSTERN_CONFIG", "/tmp/x.toml", 1);
  EXPECT_EQ(default_config_path(), "/tmp/x.toml");
  unsetenv("POSTERN_CONFIG");
  EXPECT_EQ(default_config_path(), "/etc/postern/postern.toml");
}

}  // namespace
}  // namespace postern

namespace postern {
namespace {

TEST(QueueConfig, Defaults) {
  auto c = parse("");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->queue.lifetime_seconds, 5u * 86400);
  EXPECT_EQ(c->queue.delay_warning_seconds, 4u * 3600);
  EXPECT_EQ(c->queue.retry_schedule_seconds.front(), 60u);
  EXPECT_EQ(c->queue.remote_port, 25);
  EXPECT_EQ(c->queue.tls, "opportunistic");
  EXPECT_TRUE(c->queue.smarthost.empty());
  EXPECT_EQ(c->queue.connection_reuse_messages, 100u);
  EXPECT_EQ(c->queue.connection_reuse_seconds, 300u);
  EXPECT_EQ(c->queue.connection_idle_seconds, 5u);
}

TEST(QueueConfig, AllKeys) {
  auto c = parse(R"(
[queue]
lifetime_seconds = 3600
delay_warning_seconds = 0
retry_schedule_seconds = [1, 2, 5]
max_concurrent_deliveries = 3
max_per_domain = 1
resolver = "127.0.0.1@5353"
remote_port = 2525
tls = "none"
smarthost = "relay.example.net:587"
smarthost_tls = "implicit"
smarthost_credentials_file = "relay.secret"
connection_reuse_messages = 1
connection_reuse_seconds = 60
connection_idle_seconds = 0
)");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->queue.lifetime_seconds, 3600u);
  EXPECT_EQ(c->queue.retry_schedule_seconds, (std::vector<unsigned>{1, 2, 5}));
  EXPECT_EQ(c->queue.resolver, "127.0.0.1@5353");
  EXPECT_EQ(c->queue.remote_port, 2525);
  EXPECT_EQ(c->queue.smarthost_host, "relay.example.net");
  EXPECT_EQ(c->queue.smarthost_port, 587);
  EXPECT_EQ(c->queue.smarthost_tls, TlsMode::implicit);
  EXPECT_EQ(c->queue.smarthost_credentials_file, "/etc/postern/relay.secret");
  EXPECT_EQ(c->queue.connection_reuse_messages, 1u);
  EXPECT_EQ(c->queue.connection_reuse_seconds, 60u);
  EXPECT_EQ(c->queue.connection_idle_seconds, 0u);
}

TEST(QueueConfig, ErrorsPointAtTheValue) {
  EXPECT_EQ(error_of("[queue]\nretry_schedule_seconds = []\n"),
            "test.toml:2:26: queue.retry_schedule_seconds must be a non-empty array of seconds 1..604800, e.g. [60, 300, 900]");
  EXPECT_EQ(error_of("[queue]\n\ntls = \"maybe\"\n"),
            "test.toml:3:7: queue.tls \"maybe\" must be \"none\", \"opportunistic\" or \"required\"");
  EXPECT_EQ(error_of("[queue]\nsmarthost = \"relay\"\n"),
            "test.toml:2:13: queue.smarthost \"relay\" must be HOST:PORT (e.g. \"smtp.example.net:587\")");
  EXPECT_EQ(error_of("[queue]\nresolver = \"dns.example\"\n"),
            "test.toml:2:12: queue.resolver \"dns.example\" must be IP or IP@PORT");
  EXPECT_NE(error_of("[queue]\nlifetme_seconds = 5\n").find("did you mean 'queue.lifetime_seconds'"), std::string::npos);
  EXPECT_EQ(error_of("[queue]\nconnection_reuse_messages = 0\n"),
            "test.toml:2:29: queue.connection_reuse_messages = 0 is out of range (allowed 1..100000)");
}

}  // namespace
}  // namespace postern
