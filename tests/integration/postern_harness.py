"""Helpers for the integration tests: a real `postern serve` process in a temp
directory, driven through its CLI and real SMTP clients over loopback.

Everything here is bounded in time: sockets carry timeouts and every wait
loop has a deadline, because pytest-timeout is not installed on these
machines (python3-pytest-timeout is not a dependency).
"""

import base64
import hashlib
import hmac
import imaplib
import os
import re
import signal
import smtplib
import socket
import ssl
import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 15.0  # seconds for any single socket operation
# Users the tests create get the cheapest Argon2id cost (directory/password.cpp):
# at the production cost every IMAP/SMTP login spends over a second of this
# shared machine's CPU. Verification reads the cost from the stored hash, so
# the server runs exactly as in production otherwise.
CLI_ENV = {**os.environ, "POSTERN_ARGON2_TEST_COST": os.environ.get("POSTERN_ARGON2_TEST_COST", "1")}


def postern_bin():
    path = Path(os.environ.get("POSTERN_BIN", "build/release/src/cli/postern"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


_handed_out = set()


def free_port():
    """A loopback TCP port that was free a moment ago and that this test run
    has not handed out before (the kernel may offer a just-closed ephemeral
    port again, and two listeners of one config would then collide)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise AssertionError("no unused loopback port found")


def make_cert(directory, cn="mail.example.test"):
    """Self-signed RSA certificate + key (PEM) in `directory`; returns (cert, key)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-sha256",
         "-subj", f"/CN={cn}", "-addext", f"subjectAltName=DNS:{cn},DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return cert, key


def zone_records(text):
    """{name: [TXT character-strings]} from zone-file lines `name. IN TXT "..."` or `( "..." "..." )`,
    as `postern dkim keygen` and `postern domain dns` print them."""
    records = {}
    for m in re.finditer(r'^(\S+)\. IN TXT (\((?:\s*"[^"]*")+\s*\)|"[^"]*")', text, re.M):
        records[m.group(1)] = re.findall(r'"([^"]*)"', m.group(2))
    return records


def cert_fingerprint_pem(path):
    """SHA-256 of the DER form of the first certificate in a PEM file."""
    import hashlib
    der = ssl.PEM_cert_to_DER_cert(Path(path).read_text())
    return hashlib.sha256(der).hexdigest()


class CliError(AssertionError):
    pass


class Message:
    """One line of `postern message list`: UID, SIZE, DATE, <return-path>, SUBJECT."""

    def __init__(self, line):
        parts = line.split("\t", 4)
        if len(parts) != 5:
            raise AssertionError(f"unexpected `message list` line: {line!r}")
        self.uid = int(parts[0])
        self.size = int(parts[1])
        self.date = parts[2]
        rp = parts[3]
        assert rp.startswith("<") and rp.endswith(">"), line
        self.return_path = rp[1:-1]
        self.subject = parts[4]

    def __repr__(self):
        return f"Message(uid={self.uid}, size={self.size}, from=<{self.return_path}>, subject={self.subject!r})"


def split_received(data):
    """Splits stored bytes into (Received header incl. its final CRLF, rest)."""
    assert data.startswith(b"Received: "), data[:200]
    pos = 0
    while True:
        end = data.index(b"\r\n", pos)
        pos = end + 2
        if data[pos:pos + 1] not in (b" ", b"\t"):
            return data[:pos], data[pos:]


class Server:
    """A Postern server in its own temp directory.

    Created by the `server` fixtures in conftest.py. `cli()` runs the CLI
    against the same config (works whether or not the server runs).
    """

    def __init__(self, root, cert, key, smtp=None, server=None, listeners=None,
                 domains=("example.test",), users=None, queue=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.bin = postern_bin()
        if not self.bin.exists():
            raise AssertionError(
                f"postern binary not found at {self.bin} (build it with `make build` or set POSTERN_BIN)")
        self.tls_dir = self.root / "tls"
        self.tls_dir.mkdir(exist_ok=True)
        self.cert = self.tls_dir / "cert.pem"
        self.key = self.tls_dir / "key.pem"
        self.cert.write_bytes(Path(cert).read_bytes())
        self.key.write_bytes(Path(key).read_bytes())
        self.key.chmod(0o600)
        self.data_dir = self.root / "data"
        self.log_path = self.root / "server.log"
        self.config_path = self.root / "postern.toml"
        self.smtp_port = free_port()
        self.proc = None
        self.smtp_settings = {"max_connections_per_ip": 100}
        self.smtp_settings.update(smtp or {})
        self.server_settings = {"hostname": "mail.example.test", "data_dir": "data", "threads": 2,
                                "log_level": "info", "shutdown_grace_seconds": 10}
        self.server_settings.update(server or {})
        self.queue_settings = dict(queue or {})
        self.sections = {}  # further [name] tables: {"guard": {...}}
        # Tests open many sessions from 127.0.0.1: per-address limits well
        # above the defaults unless a test sets its own (merged per key).
        self.section_defaults = {"imap": {"max_connections_per_ip": 300},
                                 "pop3": {"max_connections_per_ip": 300}}
        self.listeners = listeners or [{"protocol": "smtp", "address": f"127.0.0.1:{self.smtp_port}",
                                        "tls": "starttls"}]
        self.write_config()
        for d in domains:
            self.cli("domain", "add", d)
        self.passwords = {}
        for u in (users if users is not None else ("demo@example.test",)):
            self.add_user(u)

    # --- configuration -------------------------------------------------------
    @staticmethod
    def _toml_value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(Server._toml_value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    def write_config(self):
        lines = ["[server]"]
        lines += [f"{k} = {self._toml_value(v)}" for k, v in self.server_settings.items()]
        lines += ["", "[tls]", 'certificate = "tls/cert.pem"', 'key = "tls/key.pem"', "", "[smtp]"]
        lines += [f"{k} = {self._toml_value(v)}" for k, v in self.smtp_settings.items()]
        if self.queue_settings:
            lines += ["", "[queue]"] + [f"{k} = {self._toml_value(v)}" for k, v in self.queue_settings.items()]
        for name in dict.fromkeys([*self.section_defaults, *self.sections]):
            settings = {**self.section_defaults.get(name, {}), **self.sections.get(name, {})}
            lines += ["", f"[{name}]"] + [f"{k} = {self._toml_value(v)}" for k, v in settings.items()]
        for l in self.listeners:
            lines += ["", "[[listener]]"] + [f"{k} = {self._toml_value(v)}" for k, v in l.items()]
        self.config_path.write_text("\n".join(lines) + "\n")

    # --- CLI -----------------------------------------------------------------
    def cli(self, *args, input=None, check=True, timeout=60):
        """Runs `postern --config <cfg> ARGS`; returns CompletedProcess (text)."""
        cmd = [str(self.bin), "--config", str(self.config_path), *map(str, args)]
        if isinstance(input, str):
            input = input.encode()
        p = subprocess.run(cmd, input=input if input is not None else b"", capture_output=True,
                           timeout=timeout, env=CLI_ENV)
        p.stdout_bytes = p.stdout
        p.stdout = p.stdout.decode("utf-8", "replace")
        p.stderr = p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise CliError(f"{' '.join(cmd)} exited {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def add_user(self, address, password=None):
        password = password or ("pw-" + address.split("@")[0] + "-secret")
        self.cli("user", "add", address, input=password + "\n")
        self.passwords[address] = password
        return password

    def messages(self, user, mailbox="INBOX"):
        out = self.cli("message", "list", user, "-m", mailbox).stdout
        return [Message(l) for l in out.splitlines() if l.strip()]

    def show(self, user, uid, mailbox="INBOX"):
        return self.cli("message", "show", user, str(uid), "-m", mailbox).stdout_bytes

    def message_flags(self, user, mailbox="INBOX"):
        """{uid: (modseq, frozenset of flags)} of a mailbox, straight from the store."""
        out = self.cli("message", "list", user, "-m", mailbox, "--flags").stdout
        rows = {}
        for line in out.splitlines():
            uid, modseq, flags = line.split("\t")
            rows[int(uid)] = (int(modseq), frozenset(flags.split()))
        return rows

    def stored(self, user, mailbox="INBOX"):
        """All stored messages of a mailbox as {uid: bytes}."""
        return {m.uid: self.show(user, m.uid, mailbox) for m in self.messages(user, mailbox)}

    # --- process -------------------------------------------------------------
    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=20):
        assert not self.running(), "server already running"
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(self.bin), "--config", str(self.config_path), "serve"],
                                     stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                     start_new_session=True)
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"postern serve exited {self.proc.returncode} at startup:\n{self.log()}")
            if "event=ready" in self.log()[self._log_offset:]:
                try:
                    with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=2) as s:
                        s.settimeout(5)
                        banner = s.recv(1024)
                        if banner.startswith(b"220"):
                            s.sendall(b"QUIT\r\n")
                            return self
                except OSError:
                    pass
            time.sleep(0.05)
        raise AssertionError(f"postern serve not accepting on port {self.smtp_port} after {timeout}s:\n{self.log()}")

    def stop(self, timeout=30):
        """SIGTERM, wait for exit; returns the exit status."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"postern did not exit within {timeout}s of SIGTERM:\n{self.log()}")

    def kill9(self):
        assert self.running()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def sighup(self):
        assert self.running()
        self.proc.send_signal(signal.SIGHUP)

    def wait_log(self, pattern, timeout=10, since=0):
        """Waits until `pattern` (regex) appears in the log after offset `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log()[since:])
            if m:
                return m
            time.sleep(0.05)
        raise AssertionError(f"log never matched {pattern!r} within {timeout}s:\n{self.log()[since:]}")

    def cleanup(self):
        if self.running():
            self.proc.kill()
            self.proc.wait(timeout=10)


class SmtpConn:
    """A raw SMTP client socket for tests that need exact bytes on the wire."""

    def __init__(self, port, host="127.0.0.1", timeout=DEFAULT_TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.greeting = self.read_reply()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed; pending {self.buf!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def read_reply(self):
        """Returns (code, [text lines]) of one (possibly multiline) reply."""
        lines = []
        while True:
            line = self.read_line()
            lines.append(line[4:])
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.read_reply()

    def closed_by_peer(self, timeout=5):
        """True when the server closes the connection (EOF) within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def unverified_context(**kw):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


# --- IMAP and SMTP clients ---------------------------------------------------
def imap_login(server, user="demo@example.test", port=None):
    """A logged-in imaplib session on the server's plaintext `imap` listener.

    TCP_NODELAY: imaplib sends an APPEND literal and its final CRLF in two
    writes; with Nagle the CRLF waits for the server's delayed ACK (40 ms),
    which would make bulk APPENDs 20 times slower than the server is."""
    c = imaplib.IMAP4("127.0.0.1", port or server.imap_port, timeout=DEFAULT_TIMEOUT)
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.login(user, server.passwords[user])
    return c


def smtp_deliver(server, subject, to="demo@example.test", body=None, sender="sender@example.org"):
    """One message over SMTP; returns when the server has answered 250 (durable)."""
    body = body if body is not None else f"body of {subject}\r\n"
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=DEFAULT_TIMEOUT) as c:
        c.sendmail(sender, [to], f"Subject: {subject}\r\nFrom: {sender}\r\n\r\n{body}")


LIST_LINE = re.compile(rb'^\(([^)]*)\) (?:"[^"]*"|NIL) (.+)$')


def imap_mailboxes(c, selectable_only=True):
    """{name: set of LIST attributes} from LIST "" "*" (names as sent, quotes removed)."""
    typ, data = c.list('""', "*")
    assert typ == "OK", data
    boxes = {}
    for line in data:
        m = LIST_LINE.match(line)
        assert m, line
        attrs = set(m.group(1).decode().split())
        name = m.group(2).decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if selectable_only and attrs & {"\\Noselect", "\\NonExistent"}:
            continue
        boxes[name] = attrs
    return boxes


def imap_quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scram_login(c, user, password):
    """SCRAM-SHA-256 client (RFC 5802 / RFC 7677) over smtplib's docmd."""
    cnonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = f"n={user},r={cnonce}"
    code, resp = c.docmd("AUTH", "SCRAM-SHA-256 " + base64.b64encode(("n,," + first_bare).encode()).decode())
    assert code == 334, resp
    server_first = base64.b64decode(resp).decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    without_proof = f"c=biws,r={attrs['r']}"
    auth_message = f"{first_bare},{server_first},{without_proof}".encode()
    signature = hmac.new(stored_key, auth_message, "sha256").digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    final = f"{without_proof},p={base64.b64encode(proof).decode()}"
    code, resp = c.docmd(base64.b64encode(final.encode()).decode())
    if code != 334:
        return code, None
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    expected = base64.b64encode(hmac.new(server_key, auth_message, "sha256").digest()).decode()
    verified = base64.b64decode(resp).decode() == "v=" + expected  # the server proves it knows the keys too
    code, _ = c.docmd("")
    return code, verified
