#!/usr/bin/python3
"""IMAP search side by side: the same generated mailbox (default 100,000
messages: plain, quoted-printable UTF-8, multipart/alternative and messages
with base64 attachments) in Postern and in Dovecot 2.3 (Maildir, the
loopback configuration of ../shared/peers, no FTS plugin: it reads the
files, as Postern reads its blobs). Times SEARCH TEXT, BODY and FROM,
SORT and THREAD, each the median of a few runs with warm caches, and
checks that both servers return the same messages for the word searches.

Usage: bench/imap_search.py [--messages N] [--runs N] [--no-peer] [--keep]
"""
import argparse
import base64
import imaplib
import json
import os
import pathlib
import platform
import quopri
import random
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
POSTERN = ROOT / "build/release/src/cli/postern"
RESULTS = ROOT / "bench/results"
USER, PASSWORD = "user@example.test", "benchpass"
WORD = "zebrafish"  # in ~1% of the bodies and ~0.2% of the subjects

QUERIES = [
    ("SEARCH TEXT", ["SEARCH", "TEXT", WORD]),
    ("SEARCH BODY", ["SEARCH", "BODY", WORD]),
    ("SEARCH FROM", ["SEARCH", "FROM", "quentin"]),
    ("SEARCH SUBJECT", ["SEARCH", "SUBJECT", WORD]),
    ("SORT SUBJECT", ["SORT", "(SUBJECT)", "UTF-8", "ALL"]),
    ("THREAD REFERENCES", ["THREAD", "REFERENCES", "UTF-8", "ALL"]),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def peer_config(name):
    # ../shared/peers beside the main checkout; a worktree sits one level deeper.
    for up in (ROOT.parent, ROOT.parent.parent):
        if (up / "shared/peers" / name).exists():
            return up / "shared/peers" / name
    raise FileNotFoundError(f"shared/peers/{name} not found above {ROOT}")


# ---- the corpus ------------------------------------------------------------

def corpus(n, seed=7):
    rnd = random.Random(seed)
    syll = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pen", "dor", "al", "ex", "qui", "zu", "ber", "sol"]
    words = sorted({"".join(rnd.choice(syll) for _ in range(rnd.randint(1, 4))) for _ in range(6000)})
    accented = ["café", "crème", "naïve", "résumé", "Zürich", "señor", "über", "Ærø"]
    names = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Quentin", "Mallory"]
    ids = []
    for i in range(n):
        def sentence(k):
            return " ".join(rnd.choice(words) for _ in range(k))
        subject = sentence(rnd.randint(2, 7))
        if rnd.random() < 0.002:
            subject += " " + WORD
        if ids and rnd.random() < 0.3:
            subject = "Re: " + subject
        name = rnd.choice(names)
        sender = f"{name.lower()}{rnd.randint(1, 50)}@example.org"
        h = [f"From: {name} <{sender}>", f"To: {USER}", f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(1700000000 + i * 60))}",
             f"Message-ID: <m{i}@bench.example.org>"]
        if ids and rnd.random() < 0.3:
            parent = rnd.choice(ids[-200:])
            h.append(f"In-Reply-To: <m{parent}@bench.example.org>")
            h.append(f"References: <m{parent}@bench.example.org>")
        lines = [sentence(rnd.randint(6, 14)) for _ in range(rnd.randint(10, 70))]
        if rnd.random() < 0.01:
            lines.insert(rnd.randrange(len(lines)), f"we saw a {WORD} today")
        kind = rnd.random()
        if kind < 0.7:
            h.append(f"Subject: {subject}")
            msg = "\r\n".join(h) + "\r\n\r\n" + "\r\n".join(lines) + "\r\n"
        elif kind < 0.8:
            # An encoded-word subject and a quoted-printable UTF-8 body.
            word = rnd.choice(accented)
            encoded = "".join(f"={b:02X}" for b in word.encode())
            h.append(f"Subject: =?utf-8?q?{encoded}?= {subject}")
            text = "\n".join(lines) + "\n" + " ".join(rnd.choice(accented) for _ in range(20)) + "\n"
            body = quopri.encodestring(text.encode()).decode().replace("\n", "\r\n")
            h += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                  "Content-Transfer-Encoding: quoted-printable"]
            msg = "\r\n".join(h) + "\r\n\r\n" + body
        elif kind < 0.9:
            h += [f"Subject: {subject}", "MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="alt"']
            plain = "\r\n".join(lines)
            html = "<html><body>" + "".join(f"<p>{l}</p>\r\n" for l in lines) + "</body></html>"
            msg = ("\r\n".join(h) + "\r\n\r\n--alt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + plain +
                   "\r\n--alt\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n" + html + "\r\n--alt--\r\n")
        else:
            h += [f"Subject: {subject}", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="mix"']
            blob = base64.encodebytes(rnd.randbytes(rnd.randint(4000, 40000))).decode().replace("\n", "\r\n")
            msg = ("\r\n".join(h) + "\r\n\r\n--mix\r\nContent-Type: text/plain\r\n\r\n" + "\r\n".join(lines) +
                   "\r\n--mix\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                   "Content-Disposition: attachment; filename=data.bin\r\n\r\n" + blob + "--mix--\r\n")
        ids.append(i)
        yield msg.encode()


# ---- the servers -----------------------------------------------------------

class Postern:
    name = "postern"

    def __init__(self, base):
        self.base = base / "postern"
        self.smtp_port, self.imap_port = free_port(), free_port()
        self.proc = None

    def setup(self):
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        self.cfg = self.base / "postern.toml"
        self.cfg.write_text(f"""[server]
hostname = "bench.example.test"
data_dir = "data"
log_level = "warn"
dev_mode = true
# The peers have no per-session command pacing: none here either.
max_connections = 100000
commands_per_second = 0
[smtp]
max_connections_per_ip = 1000
[imap]
max_connections_per_ip = 1000
[pop3]
max_connections_per_ip = 1000
[[listener]]
protocol = "smtp"
address = "127.0.0.1:{self.smtp_port}"
tls = "none"
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
tls = "none"
""")
        self.cli("domain", "add", "example.test")
        self.cli("user", "add", USER, input=PASSWORD + "\n")

    def cli(self, *a, input=None):
        return subprocess.run([str(POSTERN), "--config", str(self.cfg), *a], input=input, text=True,
                              check=True, capture_output=True).stdout

    def start(self):
        self.log = open(self.base / "server.log", "w")
        self.proc = subprocess.Popen([str(POSTERN), "--config", str(self.cfg), "serve"], stderr=self.log)
        wait_port(self.smtp_port)
        wait_port(self.imap_port)

    def load(self, messages, senders=16):
        it = iter(messages)
        lock = threading.Lock()
        errors = []

        def send():
            try:
                with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=120) as c:
                    while True:
                        with lock:
                            m = next(it, None)
                        if m is None:
                            return
                        c.sendmail("bench@example.org", [USER], m)
            except Exception as e:  # reported below
                errors.append(e)
        threads = [threading.Thread(target=send) for _ in range(senders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=120)
            self.proc = None


class Dovecot:
    name = "dovecot"

    def __init__(self, base):
        self.base = base / "dovecot"
        self.imap_port = free_port()

    @staticmethod
    def available():
        return shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot")

    def setup(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        conf = peer_config("dovecot.conf").read_text()
        conf = conf.replace("/tmp/mailbench/dovecot", str(self.base)).replace("/tmp/mailbench", str(self.base))
        conf = conf.replace("instance_name = mbdovecot", f"instance_name = postern-search-{self.imap_port}")
        conf = conf.replace("port = 21143", f"port = {self.imap_port}")
        conf = conf.replace("protocols = imap pop3 lmtp", "protocols = imap")
        for other in ("21110", "21024"):  # POP3 and LMTP of the peer config: not needed
            conf = conf.replace(f"port = {other}", "port = 0")
        self.conf = self.base / "dovecot.conf"
        self.conf.write_text(conf)
        (self.base / "users").write_text(f"user:{{PLAIN}}{PASSWORD}\n")
        self.maildir = self.base / "mail/user/Maildir"
        for d in ("cur", "new", "tmp"):
            (self.maildir / d).mkdir(parents=True)

    def load(self, messages):
        # Dovecot reads a Maildir written by anyone: files straight into cur/.
        for i, m in enumerate(messages):
            (self.maildir / "cur" / f"{1700000000 + i}.M{i}P1.bench,S={len(m)}:2,").write_bytes(m)
        subprocess.run(["chown", "-R", "mail:mail", str(self.base / "mail")], check=True)

    def start(self):
        subprocess.run(["dovecot", "-c", str(self.conf)], check=True)
        wait_port(self.imap_port)

    def stop(self):
        pid = self.base / "run/master.pid"
        if pid.exists():
            try:
                os.kill(int(pid.read_text()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
            time.sleep(1)


# ---- the measurement ---------------------------------------------------------

def session(port):
    user = USER if port_is_postern.get(port) else "user"
    c = imaplib.IMAP4("127.0.0.1", port, timeout=600)
    c.login(user, PASSWORD)
    return c


port_is_postern = {}


def timed(c, args):
    t = time.perf_counter()
    typ, data = c._simple_command(*args)
    elapsed = time.perf_counter() - t
    if typ != "OK":
        raise RuntimeError(f"{args}: {typ} {data}")
    name = args[0]
    resp = c.untagged_responses.pop(name, [None])
    return elapsed, resp[-1]


def measure(server, runs):
    c = session(server.imap_port)
    t = time.perf_counter()
    c.select("INBOX")
    select_s = time.perf_counter() - t
    out = {"select_s": round(select_s, 3), "queries": {}}
    results = {}
    for label, args in QUERIES:
        times = []
        for _ in range(runs):
            s, data = timed(c, args)
            times.append(s)
        if data and args[0] == "SEARCH":
            # Sequence numbers differ between stores: compare by Message-ID.
            typ, fetched = c.fetch(b",".join(data.split()).decode(), "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            data = sorted(f[1].strip() for f in fetched if isinstance(f, tuple))
        results[label] = data
        out["queries"][label] = {"median_s": round(statistics.median(times), 3), "runs": [round(x, 3) for x in times]}
        hits = len(data) if data and args[0] == "SEARCH" else None
        print(f"  {server.name:8s} {label:18s} {statistics.median(times):8.3f} s"
              + (f"  ({hits} hits)" if hits is not None else ""), flush=True)
    c.logout()
    return out, results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--keep", action="store_true", help="leave the data directories in place")
    args = ap.parse_args()
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-search-bench-"))
    os.chmod(base, 0o755)  # Dovecot's users must reach their Maildir
    servers = [Postern(base)]
    if not args.no_peer and Dovecot.available():
        servers.append(Dovecot(base))
    report = {"benchmark": "imap_search", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"cpus": os.cpu_count(), "kernel": platform.release()},
              "messages": args.messages, "word": WORD, "servers": {}}
    answers = {}
    try:
        for s in servers:
            s.setup()
            t = time.perf_counter()
            if isinstance(s, Postern):
                s.start()
                s.load(corpus(args.messages))
            else:
                s.load(corpus(args.messages))
                s.start()
            port_is_postern[s.imap_port] = isinstance(s, Postern)
            print(f"{s.name}: loaded {args.messages} messages in {time.perf_counter() - t:.1f} s", flush=True)
            if isinstance(s, Dovecot):
                # First SELECT builds Dovecot's index: not part of the figures.
                t = time.perf_counter()
                c = session(s.imap_port)
                c.select("INBOX")
                c.logout()
                print(f"dovecot: index built in {time.perf_counter() - t:.1f} s", flush=True)
            res, answers[s.name] = measure(s, args.runs)
            if isinstance(s, Postern):
                res["rss_kb_after"] = s.rss_kb()
            report["servers"][s.name] = res
            s.stop()
            write_report(report)  # after each server: an interrupted run keeps what it measured
    finally:
        for s in servers:
            s.stop()
        if args.keep:
            print(f"data kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    if "dovecot" in answers:
        same = {label: answers["postern"][label] == answers["dovecot"][label]
                for label, a in QUERIES if a[0] == "SEARCH"}
        report["same_results"] = same
        print("same results as dovecot:", same)
    write_report(report)


def write_report(report):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imap_search.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
