#!/usr/bin/python3
"""Merges the results of the benchmarks under bench/results/ (smtp_ingest,
smtp_relay, imap, startup .json) into
  - latest.json: every workload as a row (Postern's value, the peer's, the
    unit, which direction is better, the ratio), plus machine and versions;
  - latest.md: the summary table (workload, Postern, peer, ratio), machine
    info and versions, then the IMAP detail imap_bench.py wrote (imap.md);
  - latest.png: one bar per workload, Postern's advantage (peer / Postern
    for times and memory, Postern / peer for rates; above 1 = Postern
    better), and latest-imap.png (the IMAP ratios), with python3-matplotlib.
Run by bench/run after the benchmarks; each benchmark keeps its own date."""
import json
import os
import pathlib
import platform
import re
import subprocess
import time

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def machine():
    cpu = "?"
    try:
        m = re.search(r"model name\s*:\s*(.*)", pathlib.Path("/proc/cpuinfo").read_text())
        cpu = m.group(1).strip() if m else cpu
    except OSError:
        pass
    mem = 0
    try:
        mem = int(re.search(r"MemTotal:\s*(\d+)", pathlib.Path("/proc/meminfo").read_text()).group(1)) * 1024
    except (OSError, AttributeError):
        pass
    disk = subprocess.run(["df", "-h", "--output=source,fstype", "/tmp"], capture_output=True, text=True).stdout
    return {"cpu": cpu, "cpus": os.cpu_count(), "memory_gib": round(mem / 2**30, 1), "kernel": platform.release(),
            "tmp_filesystem": " ".join(disk.split()[2:]) if disk else "?", "loadavg_at_report": os.getloadavg()}


def rows():
    """(section, workload, unit, postern, peer name, peer, higher_is_better, date)."""
    out = []
    ingest = load("smtp_ingest")
    if ingest and "sizes" in ingest:
        for size in ingest["sizes"]:
            med = ingest["median_rate"].get(str(size), {})
            out.append(("SMTP", f"SMTP ingest, {size // 1024} KB, {ingest['senders']} clients, durable in the mailbox",
                        "messages/s", med.get("postern"), ingest.get("peer") or "postfix+dovecot",
                        med.get(ingest.get("peer")), True, ingest["date"]))
    relay = load("smtp_relay")
    if relay:
        med = relay["median_rate"]
        out.append(("SMTP", f"submission to remote (queue -> smtp-sink), {relay['size'] // 1024} KB, "
                            f"{relay['senders']} senders", "messages/s", med.get("postern"), "postfix",
                    med.get("postfix"), True, relay["date"]))
    imap = load("imap")
    if imap:
        n = imap["messages"]
        med = imap.get("median_seconds", {})
        p, d = med.get("postern", {}), med.get("dovecot", {})
        for op, label in (("select", "SELECT INBOX (new connection)"), ("noop", "NOOP (poll, no changes)"),
                          ("fetch_flags", "UID FETCH 1:* (FLAGS)"), ("search_text", "SEARCH TEXT (body scan)"),
                          ("search_subject", "UID SEARCH SUBJECT"), ("fetch_body_100", "FETCH 1:100 (BODY.PEEK[])")):
            out.append(("IMAP", f"IMAP {label}, {n:,} messages", "s", p.get(op), "dovecot", d.get(op), False,
                        imap["date"]))
        mixed = imap.get("mixed", {})
        if mixed:
            pm, dm = mixed.get("postern") or {}, mixed.get("dovecot") or {}
            k = (pm or dm).get("clients")
            out.append(("IMAP", f"IMAP mixed workload, {k} clients: commands/s", "commands/s",
                        pm.get("ops_per_second"), "dovecot", dm.get("ops_per_second"), True, imap["date"]))
            out.append(("IMAP", "IMAP mixed workload: latency p50", "s", pm.get("p50"), "dovecot", dm.get("p50"),
                        False, imap["date"]))
            out.append(("IMAP", "IMAP mixed workload: latency p99", "s", pm.get("p99"), "dovecot", dm.get("p99"),
                        False, imap["date"]))
        mem = imap.get("memory", {})
        pm, dm = mem.get("postern", {}), mem.get("dovecot", {})
        if pm or dm:
            get = lambda m, *k: (m.get(k[0], {}).get(k[1], {}).get(k[2]) if len(k) == 3  # noqa: E731
                                 else m.get(k[0], {}).get(k[1]))
            out.append(("memory", "whole server idle, RSS (all processes)", "bytes", get(pm, "small", "idle", "rss"),
                        "dovecot", get(dm, "small", "idle", "rss"), False, imap["date"]))
            out.append(("memory", "whole server idle, PSS (all processes)", "bytes", get(pm, "small", "idle", "pss"),
                        "dovecot", get(dm, "small", "idle", "pss"), False, imap["date"]))
            c = imap["idle_connections"]
            out.append(("memory", f"per IDLE connection, {c:,} connections (PSS)", "bytes",
                        get(pm, "small", "pss_per_connection"), "dovecot", get(dm, "small", "pss_per_connection"),
                        False, imap["date"]))
            out.append(("memory", f"per IDLE connection, {c:,} connections (RSS sum)", "bytes",
                        get(pm, "small", "rss_per_connection"), "dovecot", get(dm, "small", "rss_per_connection"),
                        False, imap["date"]))
            dh = mem.get("dovecot_hibernate", {}).get("small", {}).get("pss_per_connection")
            if dh is not None:
                h = imap.get("hibernate_connections", c)
                out.append(("memory", f"per IDLE connection, Dovecot hibernating ({h:,} conn.; Postern {c:,}) (PSS)",
                            "bytes",
                            get(pm, "small", "pss_per_connection"), "dovecot (hibernation)", dh, False, imap["date"]))
            out.append(("memory", f"per IDLE connection on the {n:,}-message INBOX, "
                                  f"{imap['big_idle_connections']} connections (PSS)", "bytes",
                        get(pm, "big", "pss_per_connection"), "dovecot", get(dm, "big", "pss_per_connection"), False,
                        imap["date"]))
    start = load("startup")
    if start:
        med = start["median_seconds"]
        for peer in ("dovecot", "postfix"):
            if peer in med:
                out.append(("startup", f"startup: process start to first greeting (Postern vs {peer})", "s",
                            med.get("postern"), peer,
                            med.get(peer), False, start["date"]))
    return [dict(section=s, workload=w, unit=u, postern=p, peer_name=pn, peer=pv, higher_is_better=h, date=dt,
                 ratio=(p / pv if p is not None and pv else None),
                 advantage=((p / pv if h else pv / p) if p and pv else None))
            for s, w, u, p, pn, pv, h, dt in out]


def fmt(v, unit):
    if v is None:
        return "not run"
    if unit == "s":
        return f"{v * 1000:.1f} ms" if v < 10 else f"{v:.2f} s"
    if unit == "bytes":
        return f"{v / 2**20:.1f} MiB" if abs(v) >= 2**20 else f"{v / 1024:.1f} KiB"
    return f"{v:,.0f} {unit}"


def chart(table):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    data = [r for r in table if r["advantage"]]
    if not data:
        return None
    labels = [r["workload"] if "vs " in r["workload"] else f"{r['workload']} (vs {r['peer_name']})" for r in data]
    adv = [r["advantage"] for r in data]
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(data) + 1.5))
    ax.barh(labels, adv, color=["tab:green" if x >= 1 else "tab:red" for x in adv])
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("Postern's advantage over the peer, × (log scale; above 1 = Postern better)")
    ax.set_title(f"Postern vs Postfix / Dovecot ({time.strftime('%Y-%m-%d')})")
    for y, x in enumerate(adv):
        ax.text(x, y, f" {x:.2f}×" if x >= 0.1 else f" {x:.3f}×", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(RESULTS / "latest.png", dpi=100)
    plt.close(fig)
    return "latest.png"


def imap_chart():
    """The IMAP ratios (Postern / Dovecot; below 1 = Postern better)."""
    r = load("imap")
    if not r:
        return None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    med = r.get("median_seconds", {})
    p, d = med.get("postern", {}), med.get("dovecot", {})
    labels, ratios = [], []
    names = {"select": "SELECT", "noop": "NOOP", "fetch_flags": "UID FETCH 1:* FLAGS", "search_text": "SEARCH TEXT",
             "search_subject": "UID SEARCH SUBJECT", "fetch_body_100": "FETCH 1:100 BODY[]"}
    for op, label in names.items():
        if p.get(op) and d.get(op):
            labels.append(label)
            ratios.append(p[op] / d[op])
    mixed = r.get("mixed", {})
    if mixed.get("postern") and mixed.get("dovecot"):
        labels.append("mixed workload p50 latency")
        ratios.append(mixed["postern"]["p50"] / mixed["dovecot"]["p50"])
    mem = r.get("memory", {})
    for key, label in (("small", "memory / IDLE conn. (small mailbox)"), ("big", "memory / IDLE conn. (big INBOX)")):
        pm = mem.get("postern", {}).get(key, {}).get("pss_per_connection")
        dm = mem.get("dovecot", {}).get(key, {}).get("pss_per_connection")
        if pm and dm and pm > 0 and dm > 0:
            labels.append(label)
            ratios.append(pm / dm)
    if not ratios:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(ratios) + 1.2))
    ax.barh(labels, ratios, color=["tab:green" if x < 1 else "tab:red" for x in ratios])
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("Postern / Dovecot (log scale; below 1 = Postern better)")
    ax.set_title(f"IMAP, {r['messages']:,} messages ({r['date'][:10]})")
    for y, x in enumerate(ratios):
        ax.text(x, y, f" {x:.2f}", va="center")
    fig.tight_layout()
    fig.savefig(RESULTS / "latest-imap.png", dpi=100)
    plt.close(fig)
    return "latest-imap.png"


def versions():
    v = {}
    for name in ("smtp_ingest", "smtp_relay", "imap", "startup"):
        r = load(name)
        if r:
            for k, x in r.get("versions", {}).items():
                for part in str(x).split(", "):
                    v[part.split(" ")[0]] = part
    return v


def main():
    table = rows()
    info = machine()
    vers = versions()
    doc = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": info, "versions": vers, "workloads": table}
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = ["# Postern benchmarks: latest results", "",
             f"Report written {doc['date']}. Machine: {info['cpu']}, {info['cpus']} CPUs (shared with other "
             f"work: load average {info['loadavg_at_report'][0]:.1f} at report time), {info['memory_gib']} GiB, "
             f"Linux {info['kernel']}, /tmp on {info['tmp_filesystem']}. "
             f"Versions: {'; '.join(vers.values())}. Produced by `make bench` (bench/run); every server "
             "fsync-durable as shipped, on loopback, same machine, same run, alternating.", "",
             "Ratio = Postern / peer. For rates (messages/s, commands/s) above 1 is Postern better; for times "
             "and memory below 1 is Postern better; the last column says who wins and by how much. "
             "Machine-readable: latest.json.", "",
             "| workload | Postern | peer | ratio | better |", "|---|---|---|---|---|"]
    for r in table:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "–"
        adv = r["advantage"]
        better = "–" if adv is None else (f"Postern {adv:.1f}×" if adv >= 1 else f"{r['peer_name']} {1 / adv:.1f}×")
        lines.append(f"| {r['workload']} | {fmt(r['postern'], r['unit'])} | {r['peer_name']}: "
                     f"{fmt(r['peer'], r['unit'])} | {ratio} | {better} |")
    lines.append("")
    c = chart(table)
    if c:
        lines += [f"![Postern's advantage per workload]({c})", ""]
    lines += ["How each figure is measured: bench/smtp_ingest.py (Postern vs Postfix delivering to Dovecot over "
              "LMTP; counted in the mailbox, end to end), bench/smtp_relay.py (submission with AUTH through the "
              "outbound queue vs Postfix relaying; counted at smtp-sink), bench/imap_bench.py and "
              "bench/imap_mixed.py (IMAP vs Dovecot on one mailbox), bench/startup.py.", ""]
    profiles = sorted(RESULTS.glob("profile-*.md"))
    if profiles:
        lines += ["Where Postern is weakest, profiled (perf, top frames and why): "
                  + ", ".join(f"[{p.stem[len('profile-'):]}]({p.name})" for p in profiles) + ".", ""]
    ingest = load("smtp_ingest")
    if ingest:
        lines += [f"SMTP ingest ({ingest['date']}): {ingest['seconds']:.0f} s per round, median of "
                  f"{ingest['rounds']} round(s) for the first size, 1 for the others. "
                  "Per run (acknowledged / delivered): " + "; ".join(
                      f"{x['server']} {x['size'] // 1024} KB {x['acked']}/{x['delivered']}" for x in ingest["runs"]),
                  ""]
    relay = load("smtp_relay")
    if relay:
        lines += [f"Submission to remote ({relay['date']}): {relay['seconds']:.0f} s per round, median of "
                  f"{relay['rounds']}. Per run (submitted / at the sink, seconds to the last one): " + "; ".join(
                      f"{x['server']} {x['acked']}/{x['at_sink']} in {x['elapsed']:.1f} s" for x in relay["runs"]),
                  ""]
    imap_md = RESULTS / "imap.md"
    if imap_md.exists():
        lines.append(imap_md.read_text())
        ic = imap_chart()
        if ic:
            lines += [f"![IMAP ratios]({ic})", ""]
    (RESULTS / "latest.md").write_text("\n".join(lines))
    print(f"wrote {RESULTS / 'latest.md'} and latest.json")


if __name__ == "__main__":
    main()
