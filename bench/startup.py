#!/usr/bin/python3
"""Startup: time from starting a server to its first greeting on a fresh
connection, median of several cold-config starts (state set up once, page
cache warm):

  Postern  `postern serve` (one process; store with a domain and a user)
           until the SMTP greeting
  Dovecot  `dovecot -c FILE` (master, then config/auth/log/imap-login
           children) until the IMAP greeting
  Postfix  `postfix start` (postfix-script, master, then smtpd on the first
           connection) until the SMTP greeting

The client polls every 2 ms. Writes bench/results/startup.json.

Usage: bench/startup.py [--quick] [--runs N]
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

RESULTS = peers.ROOT / "bench/results"


def timed(start, port, stop):
    t0 = time.perf_counter()
    start()
    peers.wait_port(port, timeout=60, poll=0.002)
    dt = time.perf_counter() - t0
    stop()
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.runs = 3
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-startup-"))
    os.chmod(base, 0o755)
    postern = peers.Postern(base)
    postern.setup()

    def postern_start():
        postern.log = open(postern.base / "server.log", "a")
        postern.proc = subprocess.Popen([str(peers.POSTERN), "--config", str(postern.cfg), "serve"],
                                        stderr=postern.log)

    servers = {"postern": (postern_start, postern.port, postern.stop)}
    versions = {"postern": peers.postern_version()}
    if peers.DovecotLmtp.available():
        dovecot = peers.DovecotLmtp(base, imap=True)
        dovecot.setup()
        servers["dovecot"] = (lambda: dovecot.start(wait=False), dovecot.imap_port, dovecot.stop)
        versions["dovecot"] = peers.DovecotLmtp.version()
    if peers.Postfix.available():
        postfix = peers.Postfix(base)
        postfix.setup()

        def postfix_start():
            r = peers.script(f"postfix -c {postfix.base}/etc start")
            if r.returncode != 0:
                raise RuntimeError("postfix start failed: " + r.stdout)

        servers["postfix"] = (postfix_start, postfix.port, postfix.stop)
        versions["postfix"] = peers.Postfix.version()
    samples = {name: [] for name in servers}
    for r in range(args.runs):
        for name, (start, port, stop) in servers.items():
            samples[name].append(timed(start, port, stop))
    med = {k: statistics.median(v) for k, v in samples.items()}
    report = {"benchmark": "startup", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"cpus": os.cpu_count(), "kernel": platform.release()}, "versions": versions,
              "runs": args.runs, "median_seconds": med, "samples_seconds": samples}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(report, indent=2) + "\n")
    print("Startup to first greeting (median of %d): " % args.runs
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in med.items()))
    peers.discard(base)
    peers.empty_trash()


if __name__ == "__main__":
    main()
