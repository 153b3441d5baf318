#!/usr/bin/python3
"""Durable SMTP ingest to a local mailbox: 20 concurrent senders
(bench/smtp_load), 5 KB and 100 KB messages, against Postern and the classic
stack — Postfix delivering to Dovecot over LMTP (or, with --peer maildir,
Postfix's own virtual(8) Maildir agent) — every one fsync-durable as
shipped, in the same run, alternating, several rounds, median.

What counts is mail durably in the mailbox, end to end: for Postern the
messages in its store (it acknowledges only after the commit; the count
is checked against the acknowledgements); for the peer the files in the
Maildir, counted while the load runs and afterwards until no more arrive
(Postfix acknowledges into its queue first). Rate = delivered messages /
time from the first message sent to the last one delivered; a queue that
has not drained --drain seconds after the load ends is cut there (the
delivery rate so far is the measure; the backlog is reported).

Usage: bench/smtp_ingest.py [--quick] [--seconds S] [--rounds N] [--sizes 5120,102400]
                            [--senders N] [--peer lmtp|maildir] [--no-peer]
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402

ROOT = peers.ROOT
LOAD = ROOT / "build/release/bench/smtp_load"
RESULTS = ROOT / "bench/results"


def run_load(port, senders, size, seconds, to, auth=None):
    cmd = [str(LOAD), "--port", str(port), "--senders", str(senders), "--size", str(size),
           "--seconds", str(seconds), "--to", to]
    if auth:
        cmd += ["--auth", auth, "--from", auth.split(":")[0]]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds + 120)
    return json.loads(out.stdout)


class ClassicStack:
    """Postfix (SMTP, queue) -> Dovecot LMTP (Maildir), or Postfix alone
    delivering to its own Maildir."""

    def __init__(self, base, mode):
        self.mode = mode
        self.name = "postfix+dovecot" if mode == "lmtp" else "postfix"
        self.dovecot = peers.DovecotLmtp(base) if mode == "lmtp" else None
        self.postfix = peers.Postfix(base, mode=mode, lmtp_port=self.dovecot.port if self.dovecot else None)
        self.port = self.postfix.port

    def versions(self):
        v = [peers.Postfix.version()]
        if self.dovecot:
            v.append(peers.DovecotLmtp.version())
        return ", ".join(v)

    def setup(self):
        if self.dovecot:
            self.dovecot.setup()
        self.postfix.setup()

    def start(self):
        if self.dovecot:
            self.dovecot.start()
        self.postfix.start()

    def delivered(self):
        return (self.dovecot or self.postfix).delivered()

    def stop(self):
        self.postfix.stop()
        if self.dovecot:
            self.dovecot.stop()


def one_run(server, size, args):
    server.setup()
    server.start()
    try:
        t0 = time.time()
        res = run_load(server.port, args.senders, size, args.seconds, "user@example.test")
        if isinstance(server, peers.Postern):
            delivered = server.stored()
            if delivered != res["acked"]:
                sys.exit(f"ERROR: postern acknowledged {res['acked']} but stored {delivered}")
            elapsed = res["seconds"]
        else:
            delivered, last = peers.wait_delivered(server.delivered, expected=res["acked"],
                                                   timeout=args.drain)
            # The load's own time if the peer kept up, else until the last delivery.
            elapsed = max(res["seconds"], last - t0)
    finally:
        server.stop()
    rate = delivered / elapsed
    print(f"  {size // 1024:4d} KB {server.name:16s} acked={res['acked']} delivered={delivered} "
          f"(backlog {res['acked'] - delivered}) "
          f"in {elapsed:.1f}s: {rate:.0f}/s (ack p50 {res['p50_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms)",
          flush=True)
    return {"server": server.name, "size": size, **res, "delivered": delivered, "elapsed": elapsed, "rate": rate}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rounds", type=int, default=2, help="rounds of the first size; 1 of the others")
    ap.add_argument("--senders", type=int, default=20)
    ap.add_argument("--sizes", default="5120,102400")
    ap.add_argument("--peer", choices=("lmtp", "maildir"), default="lmtp")
    ap.add_argument("--drain", type=float, default=10,
                    help="seconds the peer may go on delivering after the load (then: delivered so far / time)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.drain = 3, 1, 8
    sizes = [int(s) for s in args.sizes.split(",")]
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-ingest-"))
    os.chmod(base, 0o755)  # the postfix, dovecot and mail users must reach their folders
    servers = [peers.Postern(base)]
    if not args.no_peer and peers.Postfix.available() and (args.peer == "maildir" or peers.DovecotLmtp.available()):
        servers.append(ClassicStack(base, args.peer))
    elif not args.no_peer:
        print("postfix/dovecot not installed (scripts/install-deps --bench): Postern only", file=sys.stderr)
    versions = {"postern": peers.postern_version()}
    if len(servers) > 1:
        versions["peer"] = servers[1].versions()
    runs, med = [], {}
    try:
        for i, size in enumerate(sizes):
            rounds = args.rounds if i == 0 else 1
            for r in range(rounds):
                order = servers if r % 2 == 0 else list(reversed(servers))
                for s in order:
                    runs.append({"round": r + 1, **one_run(s, size, args)})
            med[str(size)] = {s.name: statistics.median(x["rate"] for x in runs
                                                        if x["server"] == s.name and x["size"] == size)
                              for s in servers}
    finally:
        for s in servers:
            s.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "smtp_ingest", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release()}, "versions": versions,
        "peer": servers[1].name if len(servers) > 1 else None, "senders": args.senders, "sizes": sizes,
        "seconds": args.seconds, "rounds": args.rounds, "median_rate": med, "runs": runs,
    }
    (RESULTS / "smtp_ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"SMTP ingest, {args.senders} senders, durable, end to end (median):")
    for size, m in med.items():
        print(f"  {int(size) // 1024} KB: " + ", ".join(f"{k} {v:.0f}/s" for k, v in m.items()))
    peers.discard(base)
    peers.empty_trash()


if __name__ == "__main__":
    main()
