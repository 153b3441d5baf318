#!/usr/bin/python3
"""Durable SMTP ingest: 20 concurrent senders, 5 KB messages, to one local
mailbox, against Postern and (when installed) Postfix delivering to its own
Maildir — both fsync-durable as shipped — in the same run, alternating,
several rounds. Reports accepted-and-stored messages/s (checked by counting
what was stored, not only what was acknowledged) and the ratio.

Usage: bench/smtp_ingest.py [--seconds S] [--rounds N] [--senders N] [--size BYTES] [--quick]
"""
import argparse
import json
import os
import pathlib
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
POSTERN = ROOT / "build/release/src/cli/postern"
LOAD = ROOT / "build/release/bench/smtp_load"
RESULTS = ROOT / "bench/results"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.recv(100)
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def run_load(port, args, to):
    out = subprocess.run(
        [str(LOAD), "--port", str(port), "--senders", str(args.senders), "--size", str(args.size),
         "--seconds", str(args.seconds), "--to", to],
        check=True, capture_output=True, text=True, timeout=args.seconds + 120)
    return json.loads(out.stdout)


class Postern:
    name = "postern"

    def __init__(self, base):
        self.base = base / "postern"
        self.port = free_port()
        self.proc = None

    def setup(self):
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        self.cfg = self.base / "postern.toml"
        self.cfg.write_text(f"""[server]
hostname = "bench.example.test"
data_dir = "data"
log_level = "warn"
[smtp]
max_connections_per_ip = 1000
[[listener]]
protocol = "smtp"
address = "127.0.0.1:{self.port}"
tls = "none"
""")
        self.cli("domain", "add", "example.test")
        self.cli("user", "add", "user@example.test", input="benchpass\n")

    def cli(self, *a, input=None):
        return subprocess.run([str(POSTERN), "--config", str(self.cfg), *a], input=input, text=True,
                              check=True, capture_output=True).stdout

    def start(self):
        self.log = open(self.base / "server.log", "w")
        self.proc = subprocess.Popen([str(POSTERN), "--config", str(self.cfg), "serve"], stderr=self.log)
        wait_port(self.port)

    def stored(self):
        return len(self.cli("message", "list", "user@example.test").splitlines())

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
            self.proc = None


class Postfix:
    """Postfix with the loopback config of ../shared/peers, delivering with
    its `virtual` agent into a Maildir (fsync per message, as shipped)."""
    name = "postfix"

    def __init__(self, base):
        self.base = base / "postfix"
        self.port = free_port()

    @staticmethod
    def available():
        return shutil.which("postfix") or os.path.exists("/usr/sbin/postfix")

    def setup(self):
        subprocess.run(["script", "-qec", f"postfix -c {self.base}/etc stop", "/dev/null"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
        etc = self.base / "etc"
        etc.mkdir(parents=True)
        peers = ROOT.parent / "shared/peers"
        # The peer config keeps its state under /tmp/mailbench/{postfix,pfmail}.
        root = str(self.base / "root")
        (etc / "main.cf").write_text((peers / "postfix-main.cf").read_text().replace("/tmp/mailbench", root))
        master = (peers / "postfix-master.cf").read_text().replace("127.0.0.1:21025", f"127.0.0.1:{self.port}")
        (etc / "master.cf").write_text(master)
        uid = self.uid()
        for key, value in {"virtual_mailbox_domains": "example.test",
                           "virtual_mailbox_maps": "static:example.test/user/",
                           "virtual_uid_maps": f"static:{uid}", "virtual_gid_maps": f"static:{uid}",
                           "virtual_minimum_uid": "1", "smtpd_client_connection_count_limit": "1000",
                           "in_flow_delay": "0"}.items():
            subprocess.run(["postconf", "-c", str(etc), "-e", f"{key}={value}"], check=True)
        for d in ("postfix/spool", "postfix/data", "pfmail"):
            (self.base / "root" / d).mkdir(parents=True)
        subprocess.run(["chown", "-R", "postfix:postfix", root + "/postfix/data", root + "/pfmail"], check=True)
        self.maildir = self.base / "root/pfmail/example.test/user"

    @staticmethod
    def uid():
        import pwd
        return pwd.getpwnam("postfix").pw_uid

    def start(self):
        r = subprocess.run(["script", "-qec", f"postfix -c {self.base}/etc start", "/dev/null"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("postfix start failed: " + r.stdout + r.stderr)
        wait_port(self.port)

    def stored(self, settle=60):
        # Postfix acknowledges into its queue; count what reached the Maildir.
        end = time.time() + settle
        last, stable = -1, 0
        while time.time() < end:
            n = sum(len(os.listdir(self.maildir / d)) for d in ("new", "cur") if (self.maildir / d).exists())
            stable = stable + 1 if n == last else 0
            if stable >= 10:
                return n
            last = n
            time.sleep(0.2)
        return last

    def stop(self):
        subprocess.run(["script", "-qec", f"postfix -c {self.base}/etc stop", "/dev/null"], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--senders", type=int, default=20)
    ap.add_argument("--size", type=int, default=5120)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.rounds = 5, 1
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-bench-"))
    os.chmod(base, 0o755)  # the postfix user must reach its queue and Maildir
    servers = [Postern(base)]
    if not args.no_peer and Postfix.available():
        servers.append(Postfix(base))
    elif not args.no_peer:
        print("postfix not installed (scripts/install-deps --bench): Postern only", file=sys.stderr)
    rates = {s.name: [] for s in servers}
    detail = []
    for r in range(args.rounds):
        for s in servers:
            s.setup()
            s.start()
            try:
                res = run_load(s.port, args, "user@example.test")
                stored = s.stored()
            finally:
                s.stop()
            # End to end: only what was durably stored counts, over the load time.
            rate = min(stored, res["acked"]) / res["seconds"]
            rates[s.name].append(rate)
            detail.append({"round": r + 1, "server": s.name, **res, "stored": stored, "stored_rate": rate})
            print(f"round {r + 1} {s.name:8s} acked={res['acked']} stored={stored} "
                  f"rate={rate:.0f}/s p50={res['p50_ms']:.1f}ms p99={res['p99_ms']:.1f}ms", flush=True)
            if s.name == "postern" and stored != res["acked"]:
                print(f"ERROR: postern acknowledged {res['acked']} but stored {stored}", file=sys.stderr)
                sys.exit(1)
    med = {k: statistics.median(v) for k, v in rates.items()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "smtp_ingest", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release()},
        "senders": args.senders, "size": args.size, "seconds": args.seconds, "rounds": args.rounds,
        "median_rate": med, "runs": detail,
    }
    if "postfix" in med and med["postfix"] > 0:
        report["ratio_postern_over_postfix"] = med["postern"] / med["postfix"]
    (RESULTS / "smtp_ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nSMTP ingest, {args.senders} senders, {args.size} B messages, durable, median of {args.rounds}:")
    for k, v in med.items():
        print(f"  {k:8s} {v:8.0f} messages/s")
    if "ratio_postern_over_postfix" in report:
        print(f"  ratio postern/postfix: {report['ratio_postern_over_postfix']:.2f}x")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
