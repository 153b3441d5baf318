#!/usr/bin/python3
"""Sending mail end to end: messages/s submitted by 20 concurrent senders
(5 KB each) and durably delivered at the far end.

  Postern: users authenticate on A's submission listener (AUTH PLAIN);
           A queues, resolves b.bench's MX through a test DNS server
           (dnslib), and delivers over SMTP to Postern B, whose 250 means the
           message is fsynced in the recipient's mailbox. Counted as
           delivered once A's queue no longer holds it.
  Postfix: the same senders (no AUTH: Postfix relays for mynetworks) to
           Debian's Postfix relaying to Postfix's own `smtp-sink` (the peer
           set-up of ../shared/peers); counted from "status=sent" lines in
           its log.

Rate = messages acknowledged to the senders / seconds from the first
submission until the last of them was delivered. Rounds alternate between
the two. Results: bench/results/outbound.json (and the table printed).

Usage: bench/outbound_e2e.py [--seconds S] [--rounds N] [--senders N] [--size BYTES] [--quick]
"""
import argparse
import base64
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from dnslib import MX, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
POSTERN = ROOT / "build/release/src/cli/postern"
RESULTS = ROOT / "bench/results"
PASSWORD = "bench-secret"


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(host, port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")


# --- load ---------------------------------------------------------------------

class Sender(threading.Thread):
    """One SMTP connection sending messages back to back until `deadline`."""

    def __init__(self, host, port, user, rcpt, body, clock):
        super().__init__(daemon=True)
        self.host, self.port, self.user, self.rcpt, self.body, self.clock = host, port, user, rcpt, body, clock
        self.acked = 0
        self.error = None

    def reply(self, f):
        while True:
            line = f.readline()
            if not line:
                raise RuntimeError("connection closed")
            if line[3:4] != b"-":
                return int(line[:3]), line

    def run(self):
        try:
            with socket.create_connection((self.host, self.port), timeout=60) as s:
                f = s.makefile("rb")
                self.reply(f)
                s.sendall(b"EHLO load.bench\r\n")
                self.reply(f)
                if self.user:
                    token = base64.b64encode(f"\0{self.user}\0{PASSWORD}".encode()).decode()
                    s.sendall(f"AUTH PLAIN {token}\r\n".encode())
                    code, line = self.reply(f)
                    if code != 235:
                        raise RuntimeError(f"AUTH: {line!r}")
                sender = self.user or "load@a.bench"
                envelope = f"MAIL FROM:<{sender}>\r\nRCPT TO:<{self.rcpt}>\r\nDATA\r\n".encode()
                self.clock["ready"].wait()
                while time.monotonic() < self.clock["deadline"]:
                    s.sendall(envelope)  # PIPELINING: both servers offer it
                    for expect in (250, 250, 354):
                        code, line = self.reply(f)
                        if code != expect:
                            raise RuntimeError(f"expected {expect}: {line!r}")
                    s.sendall(self.body)
                    code, line = self.reply(f)
                    if code != 250:
                        raise RuntimeError(f"after data: {line!r}")
                    self.acked += 1
                s.sendall(b"QUIT\r\n")
        except Exception as e:  # reported by the caller
            self.error = f"{type(e).__name__}: {e}"
            self.clock["ready"].abort()


def message(size, user):
    head = (f"From: {user}\r\nTo: alice@b.bench\r\nSubject: outbound bench\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n")
    line = "The quick brown fox jumps over the lazy dog, 0123456789 abcdefghij.\r\n"
    body = (line * (size // len(line) + 1))[: max(0, size - len(head))]
    return (head + body).encode() + b"\r\n.\r\n"


def run_load(host, port, users, rcpt, senders, size, seconds):
    """The clock starts once every sender is connected and logged in: a login
    costs a deliberately slow password hash (Argon2id), paid once per
    connection, and is not what this measures."""
    clock = {"ready": threading.Barrier(senders + 1), "deadline": 0.0}
    threads = [Sender(host, port, users[i % len(users)] if users else None, rcpt,
                      message(size, users[i % len(users)] if users else "load@a.bench"), clock)
               for i in range(senders)]
    for t in threads:
        t.start()
    clock["deadline"] = time.monotonic() + 3600  # replaced below, before anyone reads it
    try:
        clock["ready"].wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    start = time.monotonic()
    clock["deadline"] = start + seconds
    for t in threads:
        t.join(seconds + 120)
    errors = [t.error for t in threads if t.error]
    return start, sum(t.acked for t in threads), errors


def wait_delivered(count_delivered, acked, timeout):
    """Polls until `acked` messages were delivered; returns the time it happened."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if count_delivered() >= acked:
            return time.monotonic()
        time.sleep(0.1)
    raise RuntimeError(f"only {count_delivered()} of {acked} delivered after {timeout} s")


# --- Postern A -> Postern B -----------------------------------------------------

class Zone(BaseResolver):
    def __init__(self, mx_host_ip):
        self.records = {("b.bench", "MX"): [MX("mx.b.bench", 10)], ("mx.b.bench", "A"): [A(mx_host_ip)]}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if not any(n == name for n, _ in self.records):
            reply.header.rcode = RCODE.NXDOMAIN
        for rdata in self.records.get((name, QTYPE[request.q.qtype]), []):
            reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=300))
        return reply


class PosternPair:
    name = "postern"

    def __init__(self, base, senders):
        self.base = base / "postern"
        self.users = [f"user{i}@a.bench" for i in range(senders)]

    def instance(self, name, text):
        d = self.base / name
        d.mkdir(parents=True)
        (d / "postern.toml").write_text(text)
        return d

    def cli(self, d, *a, input=None):
        return subprocess.run([str(POSTERN), "--config", str(d / "postern.toml"), *a], input=input, text=True,
                              check=True, capture_output=True).stdout

    def setup(self):
        shutil.rmtree(self.base, ignore_errors=True)
        self.mx_port = free_port("127.0.0.3")
        self.sub_port = free_port("127.0.0.2")
        self.dns_port = free_port()
        self.dns = DNSServer(Zone("127.0.0.3"), port=self.dns_port, address="127.0.0.1", tcp=False,
                             logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False))
        self.dns.start_thread()
        self.b = self.instance("b", f"""[server]
hostname = "mx.b.bench"
data_dir = "data"
log_level = "warn"
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
address = "127.0.0.3:{self.mx_port}"
tls = "none"
""")
        self.cli(self.b, "domain", "add", "b.bench")
        self.cli(self.b, "user", "add", "alice@b.bench", input=PASSWORD + "\n")
        # dev_mode: AUTH without TLS from loopback, so the load generator
        # spends no CPU on TLS (the server's own TLS cost is not measured).
        self.a = self.instance("a", f"""[server]
hostname = "mail.a.bench"
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
[queue]
resolver = "127.0.0.1@{self.dns_port}"
remote_port = {self.mx_port}
tls = "none"
max_per_domain = 20
[[listener]]
protocol = "submission"
address = "127.0.0.2:{self.sub_port}"
tls = "none"
""")
        self.cli(self.a, "domain", "add", "a.bench")
        for u in self.users:
            self.cli(self.a, "user", "add", u, input=PASSWORD + "\n")
        self.cli(self.a, "dkim", "keygen", "a.bench")  # signing is part of sending

    def start(self):
        self.procs = []
        for d, host, port in ((self.b, "127.0.0.3", self.mx_port), (self.a, "127.0.0.2", self.sub_port)):
            log = open(d / "server.log", "a")
            self.procs.append(subprocess.Popen([str(POSTERN), "--config", str(d / "postern.toml"), "serve"],
                                               stderr=log, stdout=log))
            wait_port(host, port)

    def round(self, senders, size, seconds):
        self.start()
        try:
            start, acked, errors = run_load("127.0.0.2", self.sub_port, self.users, "alice@b.bench",
                                            senders, size, seconds)
            done = wait_delivered(lambda: acked - self.queued(), acked, 300)
            return acked, done - start, errors
        finally:
            self.stop()

    def queued(self):
        out = self.cli(self.a, "queue", "list")
        return int(re.search(r"^(\d+) message\(s\) in the queue$", out, re.M).group(1))

    def stored(self):
        return len(self.cli(self.b, "message", "list", "alice@b.bench").splitlines())

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)

    def teardown(self):
        self.dns.stop()


# --- Postfix -> smtp-sink -------------------------------------------------------

class PostfixRelay:
    name = "postfix"

    def __init__(self, base):
        self.base = base / "postfix"
        self.port = free_port()
        self.sink_port = free_port()

    @staticmethod
    def available():
        return os.path.exists("/usr/sbin/postfix") and os.path.exists("/usr/sbin/smtp-sink")

    def setup(self):
        subprocess.run(["script", "-qec", f"postfix -c {self.base}/etc stop", "/dev/null"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
        etc = self.base / "etc"
        etc.mkdir(parents=True)
        peers = ROOT.parent / "shared/peers"
        root = str(self.base / "root")
        (etc / "main.cf").write_text((peers / "postfix-main.cf").read_text().replace("/tmp/mailbench", root))
        master = (peers / "postfix-master.cf").read_text().replace("127.0.0.1:21025", f"127.0.0.1:{self.port}")
        (etc / "master.cf").write_text(master)
        for key, value in {"relayhost": f"[127.0.0.1]:{self.sink_port}", "in_flow_delay": "0",
                           "smtpd_client_connection_count_limit": "1000",
                           "default_destination_concurrency_limit": "20"}.items():
            subprocess.run(["postconf", "-c", str(etc), "-e", f"{key}={value}"], check=True)
        for d in ("postfix/spool", "postfix/data", "pfmail"):
            (self.base / "root" / d).mkdir(parents=True)
        subprocess.run(["chown", "-R", "postfix:postfix", root + "/postfix/data", root + "/pfmail"], check=True)
        self.maillog = pathlib.Path(root) / "postfix/maillog"

    def start(self):
        self.sink = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "postfix", f"127.0.0.1:{self.sink_port}", "256"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port("127.0.0.1", self.sink_port)
        r = subprocess.run(["script", "-qec", f"postfix -c {self.base}/etc start", "/dev/null"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("postfix start failed: " + r.stdout + r.stderr)
        wait_port("127.0.0.1", self.port)

    def sent(self):
        try:
            return self.maillog.read_text(errors="replace").count("status=sent")
        except FileNotFoundError:
            return 0

    def round(self, senders, size, seconds):
        self.start()
        try:
            before = self.sent()
            start, acked, errors = run_load("127.0.0.1", self.port, None, "alice@b.bench", senders, size, seconds)
            done = wait_delivered(lambda: self.sent() - before, acked, 300)
            return acked, done - start, errors
        finally:
            self.stop()

    def stop(self):
        subprocess.run(["script", "-qec", f"postfix -c {self.base}/etc stop", "/dev/null"], capture_output=True)
        self.sink.terminate()
        self.sink.wait(timeout=30)

    def teardown(self):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--senders", type=int, default=20)
    ap.add_argument("--size", type=int, default=5120)
    ap.add_argument("--quick", action="store_true", help="5 s, 1 round")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.rounds = 5, 1
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-outbound-bench-"))
    os.chmod(base, 0o755)  # the postfix user must reach its queue
    servers = [PosternPair(base, args.senders)]
    if PostfixRelay.available():
        servers.append(PostfixRelay(base))
    else:
        print("postfix not installed (scripts/install-deps --bench): Postern only", file=sys.stderr)
    rates = {s.name: [] for s in servers}
    acked_total = {s.name: 0 for s in servers}
    try:
        for s in servers:
            s.setup()
        for r in range(args.rounds):
            for s in servers:
                acked, elapsed, errors = s.round(args.senders, args.size, args.seconds)
                rate = acked / elapsed
                rates[s.name].append(rate)
                acked_total[s.name] += acked
                note = f" ({len(errors)} sender errors, first: {errors[0]})" if errors else ""
                print(f"round {r + 1} {s.name}: {acked} messages delivered in {elapsed:.1f} s = {rate:.0f}/s{note}",
                      flush=True)
        pair = servers[0]
        pair.start()
        stored = pair.stored()
        pair.stop()
        if stored != acked_total["postern"]:
            raise RuntimeError(f"B stored {stored} messages, A acknowledged {acked_total['postern']}")
    finally:
        for s in servers:
            s.teardown()
    med = {k: statistics.median(v) for k, v in rates.items() if v}
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": {"cpus": os.cpu_count(), "kernel": platform.release()},
              "senders": args.senders, "size": args.size, "seconds": args.seconds, "rounds": args.rounds,
              "messages_per_second": med, "postern_acknowledged": acked_total["postern"], "postern_stored_on_b": stored, "rounds_detail": rates}
    if med.get("postfix"):
        report["ratio_postern_over_postfix"] = med["postern"] / med["postfix"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "outbound.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"submission -> remote, {args.senders} senders, {args.size} B, median of {args.rounds}:")
    for k, v in med.items():
        print(f"  {k}: {v:.0f} messages/s")
    if "ratio_postern_over_postfix" in report:
        print(f"  ratio postern/postfix: {report['ratio_postern_over_postfix']:.2f}")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
