"""The servers the SMTP benchmarks start on loopback, each under its own
scratch folder: Postern (SMTP or authenticated submission, optionally with
the outbound queue relaying to a smarthost), Debian's Postfix (the config of
../shared/peers: delivering to its own Maildir, to Dovecot over LMTP, or
relaying to a relayhost), Dovecot's LMTP server (the classic stack's
delivery agent), and Postfix's smtp-sink with its delivery counter. Shared
by smtp_ingest.py, smtp_relay.py and startup.py; imap_bench.py keeps its own
Dovecot (IMAP) class."""
import os
import pathlib
import pwd
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
POSTERN = ROOT / "build/release/src/cli/postern"
PEERS = ROOT.parent / "shared/peers"
PEER_TEMPLATES = pathlib.Path(__file__).resolve().parent / "peer-config"


TRASH = pathlib.Path(os.environ.get("POSTERN_BENCH_TRASH", "/tmp/postern-bench-trash"))


def discard(path):
    """Moves a scratch folder out of the way instead of deleting it: on this
    disk deleting the ~100,000 files of a run takes minutes and would load
    the disk during the next measurement. The trash is emptied by
    empty_trash() when a benchmark ends, or by bench/run after all of them
    (POSTERN_BENCH_DEFER_TRASH=1)."""
    path = pathlib.Path(path)
    if not path.exists():
        return
    TRASH.mkdir(parents=True, exist_ok=True)
    os.rename(path, TRASH / f"{path.name}-{time.time_ns()}")


def empty_trash(wait=False):
    """Deletes the trash at idle I/O priority, in the background unless `wait`."""
    if os.environ.get("POSTERN_BENCH_DEFER_TRASH") or not TRASH.exists():
        return
    doomed = TRASH.with_name(f"{TRASH.name}-deleting-{time.time_ns()}")
    os.rename(TRASH, doomed)
    cmd = ["ionice", "-c3", "nice", "rm", "-rf", str(doomed)]
    if wait:
        subprocess.run(cmd)
    else:
        subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30, poll=0.005):
    """Until the port accepts and greets (a server's first line)."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(100):
                    return
        except OSError:
            pass
        time.sleep(poll)
    raise RuntimeError(f"port {port} did not open")


def peer_file(name):
    """The peer configs of ../shared/peers, or the copies under bench/ (a
    fresh checkout has no ../shared)."""
    p = PEERS / name
    return p if p.exists() else PEER_TEMPLATES / name


def version(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else "?"


def postern_version():
    r = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return "postern " + r.stdout.strip()


class Postern:
    """Postern with an SMTP listener (MX role, local delivery) or a
    submission listener (AUTH PLAIN, dev_mode so that loopback may send a
    password without TLS) whose remote mail goes through the outbound queue
    to `smarthost`."""
    name = "postern"

    def __init__(self, base, submission=False, smarthost=None, queue_per_domain=20):
        self.base = base / "postern"
        self.port = free_port()
        self.submission = submission
        self.smarthost = smarthost
        self.queue_per_domain = queue_per_domain
        self.proc = None
        self.user, self.password = "user@example.test", "benchpass"

    def setup(self):
        discard(self.base)
        self.base.mkdir(parents=True)
        self.cfg = self.base / "postern.toml"
        protocol = "submission" if self.submission else "smtp"
        queue = ""
        if self.smarthost:
            # Postfix's default concurrency per destination is 20; the same here.
            queue = f"""[queue]
smarthost = "{self.smarthost}"
smarthost_tls = "none"
max_concurrent_deliveries = {self.queue_per_domain}
max_per_domain = {self.queue_per_domain}
"""
        self.cfg.write_text(f"""[server]
hostname = "bench.example.test"
data_dir = "data"
log_level = "warn"
dev_mode = true
# The peers have no per-session command pacing: none here either.
max_connections = 100000
commands_per_second = 0
[smtp]
max_connections_per_ip = 100000
[imap]
max_connections_per_ip = 100000
[pop3]
max_connections_per_ip = 100000
{queue}[[listener]]
protocol = "{protocol}"
address = "127.0.0.1:{self.port}"
tls = "none"
""")
        self.cli("domain", "add", "example.test")
        self.cli("user", "add", self.user, input=self.password + "\n")

    def cli(self, *a, input=None):
        env = dict(os.environ, POSTERN_ARGON2_TEST_COST="1")
        return subprocess.run([str(POSTERN), "--config", str(self.cfg), *a], input=input, text=True,
                              check=True, capture_output=True, env=env).stdout

    def start(self):
        self.log = open(self.base / "server.log", "a")
        self.proc = subprocess.Popen([str(POSTERN), "--config", str(self.cfg), "serve"], stderr=self.log)
        wait_port(self.port)

    def pids(self):
        return [self.proc.pid] if self.proc else []

    def stored(self):
        """Messages in the user's INBOX, as the store counts them."""
        for line in self.cli("mailbox", "list", self.user).splitlines():
            f = line.split("\t")
            if f[0] == "INBOX":
                return int(f[2].split("=")[1])
        raise RuntimeError("no INBOX")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=120)
            self.proc = None


def script(cmd):
    """Postfix prints start-up errors only to a terminal or syslog: give it one."""
    return subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True)


class Postfix:
    """Postfix 3.7 with the loopback config of ../shared/peers, as shipped
    (in_flow_delay 1 s, fsync of queue files and of Maildir deliveries).
    mode: "maildir" (its virtual(8) agent), "lmtp" (to Dovecot's LMTP on
    `lmtp_port`), or "relay" (everything to the relayhost `relay_port`)."""
    name = "postfix"

    def __init__(self, base, mode="maildir", lmtp_port=None, relay_port=None):
        self.base = base / "postfix"
        self.port = free_port()
        self.mode = mode
        self.lmtp_port = lmtp_port
        self.relay_port = relay_port

    @staticmethod
    def available():
        return bool(shutil.which("postfix") or os.path.exists("/usr/sbin/postfix"))

    @staticmethod
    def version():
        return "postfix " + subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                                           text=True).stdout.strip()

    def setup(self):
        script(f"postfix -c {self.base}/etc stop")
        discard(self.base)
        etc = self.base / "etc"
        etc.mkdir(parents=True)
        root = str(self.base / "root")
        (etc / "main.cf").write_text(peer_file("postfix-main.cf").read_text().replace("/tmp/mailbench", root))
        (etc / "master.cf").write_text(
            peer_file("postfix-master.cf").read_text().replace("127.0.0.1:21025", f"127.0.0.1:{self.port}"))
        uid = pwd.getpwnam("postfix").pw_uid
        settings = {"virtual_mailbox_domains": "example.test",
                    "virtual_mailbox_maps": "static:example.test/user/",
                    "virtual_uid_maps": f"static:{uid}", "virtual_gid_maps": f"static:{uid}",
                    "virtual_minimum_uid": "1", "smtpd_client_connection_count_limit": "1000",
                    "relayhost": f"[127.0.0.1]:{self.relay_port or 21026}"}
        if self.mode == "lmtp":
            settings["virtual_transport"] = f"lmtp:inet:127.0.0.1:{self.lmtp_port}"
        postconf = ["postconf", "-c", str(etc), "-e"] + [f"{k}={v}" for k, v in settings.items()]
        subprocess.run(postconf, check=True)
        for d in ("postfix/spool", "postfix/data", "pfmail"):
            (self.base / "root" / d).mkdir(parents=True)
        subprocess.run(["chown", "-R", "postfix:postfix", root + "/postfix/data", root + "/pfmail"], check=True)
        self.maildir = self.base / "root/pfmail/example.test/user"

    def start(self):
        r = script(f"postfix -c {self.base}/etc start")
        if r.returncode != 0:
            raise RuntimeError("postfix start failed: " + r.stdout + r.stderr)
        wait_port(self.port)

    def master_pid(self):
        try:
            return int((self.base / "root/postfix/spool/pid/master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def delivered(self):
        """Messages its own virtual(8) agent wrote into the Maildir."""
        return sum(len(os.listdir(self.maildir / d)) for d in ("new", "cur") if (self.maildir / d).exists())

    def stop(self):
        script(f"postfix -c {self.base}/etc stop")
        pid = self.master_pid()
        end = time.time() + 30
        while pid and time.time() < end and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.05)


DOVECOT_LMTP_CONF = """# Loopback Dovecot LMTP for the SMTP benchmarks (from ../shared/peers/dovecot.conf).
instance_name = postern-bench-lmtp-{port}
base_dir = {base}/run
state_dir = {base}/state
protocols = {protocols}
listen = 127.0.0.1
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
first_valid_uid = {uid}
mail_location = maildir:{base}/mail/%n/Maildir
# mail_fsync stays at its default (optimized: fsync after each delivery), as shipped
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
protocol lmtp {{
  auth_username_format = %n
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  service_count = 0
  process_min_avail = 2
}}
"""


class DovecotLmtp:
    """Dovecot's LMTP server delivering into Maildir (fsync as shipped);
    with imap=True it also serves IMAP (startup.py)."""
    name = "dovecot"

    def __init__(self, base, imap=False):
        self.base = base / "dovecot"
        self.port = free_port()
        self.imap_port = free_port()
        self.imap = imap

    @staticmethod
    def available():
        return bool(shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot"))

    @staticmethod
    def version():
        return "dovecot " + version(["dovecot", "--version"])

    def setup(self):
        mail = pwd.getpwnam("mail")
        discard(self.base)
        for d in ("run", "state", "mail"):
            (self.base / d).mkdir(parents=True)
        (self.base / "users").write_text("user:{PLAIN}benchpass\n")
        (self.base / "dovecot.conf").write_text(DOVECOT_LMTP_CONF.format(
            base=self.base, port=self.port, imap_port=self.imap_port, uid=mail.pw_uid, gid=mail.pw_gid,
            protocols="imap lmtp" if self.imap else "lmtp"))
        subprocess.run(["chown", f"{mail.pw_uid}:{mail.pw_gid}", str(self.base / "mail")], check=True)
        self.maildir = self.base / "mail/user/Maildir"

    def start(self, wait=True):
        with open(self.base / "start.log", "w+") as out:
            r = subprocess.run(["dovecot", "-c", str(self.base / "dovecot.conf")], stdout=out, stderr=out)
            if r.returncode != 0:
                out.seek(0)
                raise RuntimeError("dovecot start failed: " + out.read())
        if wait:
            wait_port(self.imap_port if self.imap else self.port)

    def delivered(self):
        return sum(len(os.listdir(self.maildir / d)) for d in ("new", "cur") if (self.maildir / d).exists())

    def master_pid(self):
        try:
            return int((self.base / "run/master.pid").read_text())
        except (OSError, ValueError):
            return None

    def stop(self):
        pid = self.master_pid()
        if not pid:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        end = time.time() + 30
        while time.time() < end and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.05)


class SmtpSink:
    """Postfix's smtp-sink: accepts everything, stores nothing, and with -c
    prints "sess=N quit=N mesg=N" after every message; a thread keeps the
    latest count and when it last changed."""

    def __init__(self):
        self.port = free_port()
        self.count = 0
        self.last_change = None
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["smtp-sink", "-c", "-u", "postfix", f"127.0.0.1:{self.port}", "1024"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        threading.Thread(target=self._read, daemon=True).start()
        wait_port(self.port)
        # The probe above was a session, not a message.

    def _read(self):
        buf = b""
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                return
            buf += chunk
            parts = re.findall(rb"mesg=(\d+)", buf)
            if parts:
                n = int(parts[-1])
                if n != self.count:
                    self.count, self.last_change = n, time.time()
            buf = buf[buf.rfind(b"\r") + 1:] if b"\r" in buf else buf

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def wait_delivered(count, expected=None, settle=2.0, timeout=90, poll=0.1):
    """Polls count() until it reaches `expected` or stops changing for
    `settle` seconds (or `timeout`); returns (final count, time of the last
    change)."""
    end = time.time() + timeout
    last, changed = count(), time.time()
    while time.time() < end:
        if expected is not None and last >= expected:
            break
        time.sleep(poll)
        n = count()
        if n != last:
            last, changed = n, time.time()
        elif time.time() - changed >= settle:
            break
    return last, changed
