#!/usr/bin/python3
"""Submission to a remote server, end to end: 20 concurrent senders
(bench/smtp_load), 5 KB messages to a remote recipient, through the server's
durable outbound queue to Postfix's smtp-sink standing in for the remote
MX; counted when the sink has accepted them.

  Postern: listener "submission", AUTH PLAIN per connection (dev_mode lets
           loopback send a password without TLS), [queue] smarthost = the
           sink, no TLS to it, 20 deliveries at once (Postfix's default
           destination concurrency; Postern's default max_per_domain is 4).
  Postfix: port-25 smtpd relaying for mynetworks (no AUTH: Postfix's SASL
           would need a Dovecot auth service; this spares Postfix work),
           relayhost = the sink, as shipped otherwise (in_flow_delay 1 s,
           connection cache on demand).

Rate = messages the sink accepted / time from the first message submitted
to the last one the sink accepted; a queue that has not drained --drain
seconds after the load ends is cut there (the delivery rate so far is the
measure; the backlog is reported). Rounds alternate servers; median.

Usage: bench/smtp_relay.py [--quick] [--seconds S] [--rounds N] [--senders N] [--size B] [--no-peer]
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402
from smtp_ingest import run_load  # noqa: E402

RESULTS = peers.ROOT / "bench/results"
RCPT = "someone@remote.example"


def one_run(name, base, args):
    sink = peers.SmtpSink()
    sink.start()
    if name == "postern":
        server = peers.Postern(base, submission=True, smarthost=f"127.0.0.1:{sink.port}")
        auth = f"{server.user}:{server.password}"
    else:
        server = peers.Postfix(base, mode="relay", relay_port=sink.port)
        auth = None
    try:
        server.setup()
        server.start()
        t0 = time.time()
        res = peers_load(server.port, args, auth)
        delivered, last = peers.wait_delivered(lambda: sink.count, expected=res["acked"], timeout=args.drain)
        elapsed = max(res["seconds"], last - t0)
    finally:
        server.stop()
        sink.stop()
    rate = delivered / elapsed
    print(f"  {name:8s} submitted={res['acked']} failed={res['failed']} at sink={delivered} in {elapsed:.1f}s: "
          f"{rate:.0f}/s (submit p50 {res['p50_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms)", flush=True)
    if delivered < res["acked"]:
        print(f"  WARNING: {name}: {res['acked'] - delivered} submitted messages had not reached the sink "
              f"after {args.drain:.0f} s", flush=True)
    return {"server": name, **res, "at_sink": delivered, "elapsed": elapsed, "rate": rate}


def peers_load(port, args, auth):
    return run_load(port, args.senders, args.size, args.seconds, RCPT, auth=auth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--senders", type=int, default=20)
    ap.add_argument("--size", type=int, default=5120)
    ap.add_argument("--drain", type=float, default=20,
                    help="seconds a server may go on delivering after the load (then: delivered so far / time)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.drain = 3, 1, 8
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-relay-"))
    os.chmod(base, 0o755)
    names = ["postern"]
    if not args.no_peer and peers.Postfix.available():
        names.append("postfix")
    runs = []
    for r in range(args.rounds):
        for name in (names if r % 2 == 0 else list(reversed(names))):
            runs.append({"round": r + 1, **one_run(name, base, args)})
    med = {n: statistics.median(x["rate"] for x in runs if x["server"] == n) for n in names}
    versions = {"postern": peers.postern_version()}
    if "postfix" in names:
        versions["peer"] = peers.Postfix.version()
    report = {"benchmark": "smtp_relay", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"cpus": os.cpu_count(), "kernel": platform.release()}, "versions": versions,
              "senders": args.senders, "size": args.size, "seconds": args.seconds, "rounds": args.rounds,
              "median_rate": med, "runs": runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "smtp_relay.json").write_text(json.dumps(report, indent=2) + "\n")
    print("Submission to remote (smtp-sink), end to end (median): "
          + ", ".join(f"{k} {v:.0f}/s" for k, v in med.items()))
    peers.discard(base)
    peers.empty_trash()


if __name__ == "__main__":
    main()
