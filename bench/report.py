#!/usr/bin/python3
"""Merges the results of the benchmarks under bench/results/ into
bench/results/latest.md: a section per benchmark (SMTP ingest from
smtp_ingest.json; IMAP from the table imap_bench.py wrote to imap.md), each
with its own date, and a bar chart of the IMAP ratios (latest-imap.png) when
matplotlib is installed. Run by bench/run after the benchmarks."""
import json
import os
import pathlib
import platform
import time

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def smtp_section():
    path = RESULTS / "smtp_ingest.json"
    if not path.exists():
        return None
    r = json.loads(path.read_text())
    med = r["median_rate"]
    p, f = med.get("postern"), med.get("postfix")
    ratio = f"{p / f:.2f}" if p and f else "–"
    peer = f"{f:.0f} messages/s" if f else "not run"
    return "\n".join([
        f"## SMTP ingest ({r['date']})", "",
        f"{r['senders']} concurrent senders, {r['size']} B messages, {r['seconds']:.0f} s per round, median of "
        f"{r['rounds']} rounds; accepted and durably stored messages/s (Postfix delivering to its own Maildir); "
        "ratio = Postern / Postfix (above 1: Postern better). bench/smtp_ingest.py.", "",
        "| workload | Postern | Postfix | ratio |", "|---|---|---|---|",
        f"| SMTP ingest, durable | {p:.0f} messages/s | {peer} | {ratio} |", ""])


def imap_chart():
    path = RESULTS / "imap.json"
    if not path.exists():
        return None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    r = json.loads(path.read_text())
    med = r.get("median_seconds", {})
    p, d = med.get("postern", {}), med.get("dovecot", {})
    labels, ratios = [], []
    names = {"select": "SELECT", "noop": "NOOP", "fetch_flags": "UID FETCH 1:* FLAGS", "search_text": "SEARCH TEXT",
             "search_subject": "UID SEARCH SUBJECT", "fetch_body_100": "FETCH 1:100 BODY[]"}
    for op, label in names.items():
        if p.get(op) and d.get(op):
            labels.append(label)
            ratios.append(p[op] / d[op])
    mem = r.get("memory", {})
    for key, label in (("small", f"memory / IDLE conn. (small mailbox)"), ("big", "memory / IDLE conn. (big INBOX)")):
        pm = mem.get("postern", {}).get(key, {}).get("pss_per_connection")
        dm = mem.get("dovecot", {}).get(key, {}).get("pss_per_connection")
        if pm and dm and pm > 0 and dm > 0:
            labels.append(label)
            ratios.append(pm / dm)
    if not ratios:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(ratios) + 1.2))
    colors = ["tab:green" if x < 1 else "tab:red" for x in ratios]
    ax.barh(labels, ratios, color=colors)
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("Postern / Dovecot (log scale; below 1 = Postern better)")
    ax.set_title(f"IMAP, {r['messages']:,} messages ({r['date'][:10]})")
    for y, x in enumerate(ratios):
        ax.text(x, y, f" {x:.2f}", va="center")
    fig.tight_layout()
    out = RESULTS / "latest-imap.png"
    fig.savefig(out, dpi=100)
    return out.name


def main():
    parts = [f"# Postern benchmarks: latest results", "",
             f"Report written {time.strftime('%Y-%m-%d %H:%M:%S')} on {os.cpu_count()} CPUs, "
             f"Linux {platform.release()}; each section gives the date of its own run. "
             "Produced by `make bench` (bench/run).", ""]
    smtp = smtp_section()
    if smtp:
        parts.append(smtp)
    imap = RESULTS / "imap.md"
    if imap.exists():
        parts.append(imap.read_text())
        chart = imap_chart()
        if chart:
            parts += [f"![IMAP ratios]({chart})", ""]
    (RESULTS / "latest.md").write_text("\n".join(parts))
    print(f"wrote {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
