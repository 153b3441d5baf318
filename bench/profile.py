#!/usr/bin/python3
"""Profiles Postern during one IMAP workload of imap_bench.py with
`perf record` (DWARF call graphs) on the server process, and writes the top
frames (self time, and inclusive time of Postern's own functions) to
bench/results/profile-<workload>.perf.txt, for the "why" in
bench/results/profile-<workload>.md.

Workloads (on an INBOX of --messages corpus messages, loaded by APPEND):
  select   new connection, LOGIN, SELECT INBOX, LOGOUT, in a loop
  noop     one connection SELECTed, NOOP in a loop
  search_subject  one connection SELECTed, UID SEARCH SUBJECT in a loop
  mixed    bench/imap_mixed.py with 50 clients
  relay    (no mailbox) bench/smtp_relay.py's Postern side: 20 senders
           submitting 5 KB messages with AUTH for --seconds, the outbound
           queue delivering to smtp-sink; perf runs through the load and
           the same time of draining after it. Also `strace -c -f` of the
           same thing, for the system calls (fsync) per message.

Usage: bench/profile.py WORKLOAD [WORKLOAD...] [--messages N] [--seconds S]
"""
import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import imap_bench  # noqa: E402
import imap_corpus  # noqa: E402
import imap_mixed  # noqa: E402
import peers  # noqa: E402
from smtp_ingest import run_load  # noqa: E402

RESULTS = imap_bench.RESULTS


def loop(seconds, fn):
    n, end = 0, time.time() + seconds
    while time.time() < end:
        fn()
        n += 1
    return n


def workload(name, server, seconds, first_uid, inject, subject_word=""):
    if name == "select":
        def one():
            c = imap_bench.Client(server.port)
            c.ok(f'LOGIN "{server.user}" "{server.password}"')
            c.ok("SELECT INBOX")
            c.close()
        return f"{loop(seconds, one)} sessions (LOGIN, SELECT INBOX, LOGOUT)"
    if name == "noop":
        c = imap_bench.Client(server.port)
        c.ok(f'LOGIN "{server.user}" "{server.password}"')
        c.ok("SELECT INBOX")
        n = loop(seconds, lambda: c.ok("NOOP"))
        c.close()
        return f"{n} NOOPs in one SELECTed session"
    if name == "search_subject":
        c = imap_bench.Client(server.port)
        c.ok(f'LOGIN "{server.user}" "{server.password}"')
        c.ok("SELECT INBOX")
        n = loop(seconds, lambda: c.ok(f'UID SEARCH SUBJECT "{subject_word}"'))
        c.close()
        return f"{n} UID SEARCH SUBJECT \"{subject_word}\" in one SELECTed session"
    if name == "mixed":
        m = imap_mixed.run(server.port, server.user, server.password, first_uid, inject, seconds=seconds)
        return f"{m['ops']} commands, {m['sessions']} sessions, {m['ops_per_second']:.0f}/s"
    raise SystemExit(f"unknown workload {name}")


def perf_report(data, header):
    out = [header, ""]
    for title, extra in (("self time (top 40)", ["--no-children"]),
                         ("inclusive time, Postern's functions (top 60)", ["--children"])):
        r = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "-g", "none", "--percent-limit",
                            "0.5", *extra, "--sort", "symbol"], capture_output=True, text=True)
        rows = [x for x in r.stdout.splitlines() if x.strip() and not x.startswith("#")]
        out += [f"## {title}", ""] + rows[:60 if "--children" in extra else 40] + [""]
    return out


def profile_relay(seconds):
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-profile-relay-"))
    os.chmod(base, 0o755)
    out = []
    for tool in ("perf", "strace"):
        sink = peers.SmtpSink()
        sink.start()
        server = peers.Postern(base, submission=True, smarthost=f"127.0.0.1:{sink.port}")
        server.setup()
        server.start()
        try:
            data = base / "perf-relay.data"
            cmd = (["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-o", str(data)] if tool == "perf"
                   else ["strace", "-c", "-f", "-o", str(base / "strace.txt")])
            prof = subprocess.Popen(cmd + ["-p", str(server.proc.pid)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(1)
            res = run_load(server.port, 20, 5120, seconds, "someone@remote.example",
                           auth=f"{server.user}:{server.password}")
            time.sleep(seconds)
            at_sink = sink.count
            prof.send_signal(signal.SIGINT)
            prof.wait(timeout=300)
            what = (f"{res['acked']} messages submitted in {res['seconds']:.1f} s; {at_sink} at the sink "
                    f"{seconds:.0f} s after the load")
            if tool == "perf":
                out += perf_report(data, f"# perf record -F 499 --call-graph dwarf -p <postern>: relay, {what}")
            else:
                out += [f"# strace -c -f -p <postern>: relay, {what}", "",
                        *(base / "strace.txt").read_text().splitlines()[:40], ""]
            print(f"relay ({tool}): {what}", flush=True)
        finally:
            server.stop()
            sink.stop()
    (RESULTS / "profile-relay.perf.txt").write_text("\n".join(out) + "\n")
    subprocess.run(["rm", "-rf", str(base)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workloads", nargs="+")
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    if "relay" in args.workloads:
        profile_relay(args.seconds)
        args.workloads.remove("relay")
        if not args.workloads:
            return
    corpus_dir = imap_corpus.corpus(imap_bench.CACHE, args.messages)
    manifest = json.loads((corpus_dir / "manifest.json").read_text())
    files = [m[0] for m in manifest["messages"]]
    dates = [m[1] for m in manifest["messages"]]
    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-profile-"))
    server = imap_bench.Postern(base)
    server.setup()
    server.start()
    try:
        uids, rate = server.load(corpus_dir, files, dates, server.user)
        print(f"loaded {len(uids)} messages ({rate:.0f}/s)", flush=True)
        inject = [imap_bench.crlf((corpus_dir / "cur" / f).read_bytes()) for f in files[:200]]
        for name in args.workloads:
            data = base / f"perf-{name}.data"
            perf = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-p",
                                     str(server.proc.pid), "-o", str(data)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            what = workload(name, server, args.seconds, max(uids), inject, manifest["subject_word"])
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=120)
            out = perf_report(data, f"# perf record -F 499 --call-graph dwarf -p <postern>, {args.seconds:.0f} s "
                                    f"of '{name}' on a {args.messages:,}-message INBOX: {what}")
            (RESULTS / f"profile-{name}.perf.txt").write_text("\n".join(out) + "\n")
            print(f"{name}: {what}; wrote {RESULTS / f'profile-{name}.perf.txt'}", flush=True)
    finally:
        server.stop()
        subprocess.run(["rm", "-rf", str(base)])


if __name__ == "__main__":
    main()
